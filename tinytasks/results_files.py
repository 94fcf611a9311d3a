"""Finding and reading the files lm-eval writes with --output_path (and
--log_samples): `results_<time>.json` and `samples_<task>_<time>.jsonl`."""

from __future__ import annotations

import json
from pathlib import Path


def results_file(path: str | Path) -> Path:
    """`path` itself, or the one results JSON inside the folder `path`."""
    path = Path(path)
    if path.is_dir():
        found = sorted(path.rglob("results*.json"))
        if len(found) != 1:
            raise ValueError(f"{path} holds {len(found)} lm-eval results files; pass the one you mean")
        path = found[0]
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; pass an lm-eval results JSON (written with --output_path)")
    return path


def read_results(path: str | Path) -> tuple[Path, dict]:
    """(the results file, its parsed content), checked to be lm-eval's."""
    path = results_file(path)
    doc = json.loads(path.read_text())
    if "results" not in doc:
        raise ValueError(f"{path} is not an lm-eval results file (no 'results' key)")
    return path, doc


def run_stamp(results_path: Path) -> str:
    """The time stamp lm-eval gives a run's results file and its samples files."""
    return results_path.stem.removeprefix("results_")


def samples_file(results_path: Path, task: str) -> Path:
    """The samples JSONL of `task` written with the results file (same time stamp)."""
    path = results_path.with_name(f"samples_{task}_{run_stamp(results_path)}.jsonl")
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} not found beside {results_path.name}; rerun lm-eval with "
                                "--log_samples so the estimate can be recomputed from the per-item results")
    return path


def read_samples(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def model_name(doc: dict, fallback: str) -> str:
    """The run's model arguments as `key=value,...` (lm-eval records them as
    a string or a dict), else its model name, else `fallback`."""
    args = doc.get("config", {}).get("model_args")
    if isinstance(args, dict):
        args = ",".join(f"{k}={v}" for k, v in args.items())
    return str(args or doc.get("model_name") or fallback)


# The metric whose per-sample value is a tiny task's keyed result, (task, item key, correctness): what its
# aggregations estimate from (see lm_eval_tasks.KEYED_METRICS).
KEYED_RESULT = "est_score"


def sample_answer(sample: dict, benchmark: str | None = None) -> tuple[str, float, str | None] | None:
    """(item key, correctness, tiny task) of one logged sample: a tiny task's
    keyed result, or an lm-eval built-in task's result on an item of
    `benchmark` (keyed by the item's text; tiny task None); None for a
    built-in task's sample of another filter. The one reader of samples."""
    from .benchmark_specs import item_key, spec

    entry = sample.get(KEYED_RESULT)
    if isinstance(entry, (list, tuple)) and len(entry) == 3:
        task, key, value = entry
        return str(key), float(value), str(task)
    if benchmark is None:
        raise ValueError("a sample without a tiny-task key: give the benchmark (--task) to key lm-eval's own tasks")
    bench = spec(benchmark)
    if bench.builtin_filter is not None and sample.get("filter", bench.builtin_filter) != bench.builtin_filter:
        return None
    metric = bench.builtin_metric
    if metric not in sample:
        raise ValueError(f"a {benchmark} sample has no {metric!r} result (it has {sorted(sample)[:8]})")
    value = float(sample[metric])
    if bench.builtin_above is not None:  # scored right above it, as the calibration data is
        value = float(value > bench.builtin_above)
    return item_key(benchmark, bench.match_text(sample.get("doc") or {})), value, None


def add_answer(answers: dict[str, float], key: str, value: float, where: str) -> None:
    """Record one item's result; an item may repeat only with the same result."""
    if key in answers and answers[key] != value:
        raise ValueError(f"{where}: item {key} has two different results ({answers[key]} and {value})")
    answers[key] = value


def task_answers(samples: list[dict], task: str, where: str = "samples") -> dict[str, float]:
    """{item key: correctness} of one tiny task's samples (logged, or as
    simple_evaluate returns them); every sample must carry that task's
    keyed result."""
    answers: dict[str, float] = {}
    for i, sample in enumerate(samples, 1):
        got = sample_answer(sample) if isinstance(sample.get(KEYED_RESULT), (list, tuple)) else None
        if got is None or got[2] != task:
            raise ValueError(f"{where}, sample {i} (doc_id {sample.get('doc_id')}) has no keyed result of {task}")
        add_answer(answers, got[0], got[1], where)
    if not answers:
        raise ValueError(f"{where}: no results of {task}")
    return answers


def samples_results(path: str | Path, benchmark: str | None = None) -> tuple[str, dict[str, float]]:
    """(model, {item key: correctness}) from lm-eval output written with
    --log_samples: a samples_*.jsonl file, a results_*.json (every samples
    file beside it), or a folder holding one run."""
    path = Path(path)
    if path.is_dir() or path.suffix == ".json":
        results = results_file(path)
        files = sorted(results.parent.glob(f"samples_*_{run_stamp(results)}.jsonl"))
        if not files:
            raise FileNotFoundError(f"no samples files beside {results}; rerun lm-eval with --log_samples")
        model = model_name(json.loads(results.read_text()), results.parent.name)
    elif path.suffix == ".jsonl" and path.is_file():
        files = [path]
        beside = path.with_name("results_" + path.stem.rsplit("_", 1)[-1] + ".json")
        model = model_name(json.loads(beside.read_text()), path.parent.name) if beside.is_file() else path.parent.name
    else:
        raise ValueError(f"{path}: expected a responses CSV, an lm-eval samples_*.jsonl file, a results_*.json "
                         "or an lm-eval output folder")
    keyed: dict[str, float] = {}
    for f in files:
        try:
            samples = read_samples(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{f} is not an lm-eval samples file (JSON lines): {e}") from e
        for i, sample in enumerate(samples, 1):
            try:
                got = sample_answer(sample, benchmark)
            except (ValueError, KeyError, TypeError) as e:
                raise ValueError(f"{f}, sample {i}: not an lm-eval sample of this benchmark ({e})") from e
            if got is not None:
                add_answer(keyed, got[0], got[1], str(f))
    if not keyed:
        raise ValueError(f"{path}: no per-item results found")
    return model, keyed
