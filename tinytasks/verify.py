"""`tinytasks verify results.json`: is a results file of the tiny tasks what
the installed tinytasks gives for the logged per-item results?

Per tiny task it checks that the run used the installed parameter file (its
SHA-256, recorded by the task YAML's metadata), the installed prompt and
scoring configuration (a hash of the fields of lm-eval's dumped task config
that decide prompts and scores), no extra few-shot examples, and that the
estimate recomputed from the logged samples (--log_samples) equals the one
in the results.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .registry import BENCHMARK_OF_TASK, GROUPS
from .results_files import model_name, read_results, read_samples, samples_file, task_answers
from .run_checks import generation_warnings
from .scoring import anchor_row, estimate_task, load_task_params

# Fields of lm-eval's task config that decide the prompts and the scores.
PROMPT_FIELDS = (
    "custom_dataset", "dataset_kwargs", "test_split", "output_type", "doc_to_text", "doc_to_choice",
    "doc_to_target", "process_results", "target_delimiter", "fewshot_delimiter", "description",
    "num_fewshot", "generation_kwargs", "filter_list", "metric_list",
)
# results metric -> TaskEstimate attribute
RECOMPUTED = {"est_score": "score", "est_score_stderr": "stderr",
              "est_lower": "lower", "est_upper": "upper", "n_answered": "n_answered",
              "extrapolated": "extrapolated", "person_fit_lz": "lz", "misfit": "misfit", "tiny_acc": "accuracy"}
TOLERANCE = 1e-6


@dataclass
class Check:
    task: str
    name: str
    status: str  # "pass", "FAIL", "skipped" (could not run), "warning" or "group" (verified through its tasks)
    detail: str


def config_hash(config: dict) -> str:
    """SHA-256 of the prompt- and score-deciding fields of a dumped task config."""
    fields = {k: config.get(k) for k in PROMPT_FIELDS}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def installed_configs(tasks: list[str]) -> dict[str, dict]:
    """lm-eval's dumped config of each installed tiny task (builds the tasks,
    which loads their anchors)."""
    from .lm_eval_support import build_tasks, task_manager

    built = build_tasks(task_manager(), tasks)
    return {t: built[t].dump_config() for t in tasks}


def _params_check(task: str, config: dict) -> Check:
    _, _, sha = load_task_params(task)
    recorded = (config.get("metadata") or {}).get("params_sha256")
    if recorded is None:
        return Check(task, "parameter file", "FAIL", "the results do not record which parameter file was used "
                     "(its task YAML has no params_sha256); rerun with this tinytasks")
    if recorded != sha:
        return Check(task, "parameter file", "FAIL", f"run with parameters {recorded[:12]}..., installed are "
                     f"{sha[:12]}...; rescore the run with `tinytasks rescore` (it keeps the samples), or "
                     "install the tinytasks release that made the results")
    return Check(task, "parameter file", "pass", f"sha256 {sha[:12]}...")


def _config_check(task: str, config: dict, installed: dict | None, why: str) -> Check:
    if installed is None:
        return Check(task, "prompt and scoring config", "skipped", why)
    got, want = config_hash(config), config_hash(installed)
    if got != want:
        differ = [k for k in PROMPT_FIELDS if json.dumps(config.get(k), default=str, sort_keys=True)
                  != json.dumps(installed.get(k), default=str, sort_keys=True)]
        return Check(task, "prompt and scoring config", "FAIL", f"differs from the installed task in {differ}")
    return Check(task, "prompt and scoring config", "pass", f"hash {got[:12]}...")


def _fewshot_check(task: str, doc: dict, config: dict) -> Check:
    shots = doc.get("n-shot", {}).get(task, config.get("num_fewshot"))
    if shots not in (0, None):
        return Check(task, "few-shot", "FAIL", f"{shots}-shot; the tiny tasks carry their own few-shot prefix "
                     "and are calibrated 0-shot on top of it (drop --num_fewshot)")
    return Check(task, "few-shot", "pass", "0-shot (the leaderboard prefix is part of each anchor)")


def _mismatches(recorded: dict, recomputed: dict[str, float]) -> list[str]:
    """Each recomputed metric missing from, or differing from, the results file's."""
    wrong = []
    for metric, value in recomputed.items():
        logged = recorded.get(f"{metric},none")
        if logged is None:
            wrong.append(f"{metric} missing")
        elif not math.isclose(float(logged), float(value), abs_tol=TOLERANCE):
            wrong.append(f"{metric} {float(logged):.6g} != {float(value):.6g}")
    return wrong


def _adaptive_check(task: str, asked: dict, recorded: dict) -> Check:
    """The estimate recomputed from an adaptive run's items and answers."""
    est = load_task_params(task, adaptive=True)[0]
    try:
        row = anchor_row(task, dict(zip(asked["items"], asked["answers"])))
    except ValueError as e:
        return Check(task, "estimate from answers", "FAIL", str(e))
    res = est.predict_adaptive(row[None, :])
    wrong = _mismatches(recorded, {"est_score": res.score[0], "est_score_stderr": res.stderr[0],
                                   "est_lower": res.lower[0], "est_upper": res.upper[0]})
    if wrong:
        return Check(task, "estimate from answers", "FAIL", "; ".join(wrong))
    return Check(task, "estimate from answers", "pass",
                 f"{len(asked['items'])} adaptive items -> {res.score[0]:.2f} [{res.lower[0]:.2f}, {res.upper[0]:.2f}]")


def _estimate_check(task: str, results_path: Path, recorded: dict) -> Check:
    try:
        path = samples_file(results_path, task)
    except FileNotFoundError as e:
        return Check(task, "estimate from samples", "skipped", str(e))
    try:
        est = estimate_task(task, task_answers(read_samples(path), task, path.name))
    except ValueError as e:
        return Check(task, "estimate from samples", "FAIL", str(e))
    wrong = _mismatches(recorded, {metric: getattr(est, attr) for metric, attr in RECOMPUTED.items()})
    if wrong:
        return Check(task, "estimate from samples", "FAIL", "; ".join(wrong))
    return Check(task, "estimate from samples", "pass",
                 f"{est.n_answered} items -> {est.score:.2f} [{est.lower:.2f}, {est.upper:.2f}]")


def verify_results(path: str | Path) -> tuple[str, dict, list[Check]]:
    """(model name, run information, checks) for every tiny task in the results file."""
    results_path, doc = read_results(path)
    tasks = [t for t, r in doc["results"].items() if "est_score,none" in r]
    if not tasks:
        raise ValueError(f"{results_path} has no tiny task estimates; was it run with the tiny tasks?")
    groups = [t for t in tasks if t in GROUPS]
    unknown = [t for t in tasks if t not in BENCHMARK_OF_TASK and t not in GROUPS]
    known = [t for t in tasks if t in BENCHMARK_OF_TASK]
    try:
        installed, why = installed_configs(known), ""
    except Exception as e:  # noqa: BLE001 - any failure to build means that check cannot run
        installed, why = {}, f"could not build the installed tasks to compare ({type(e).__name__}: {e})"
    checks = [Check(t, "known task", "FAIL", "not a tiny task shipped with tinytasks; cannot verify")
              for t in unknown]
    for g in groups:
        absent = [t for t in GROUPS[g] if t not in known]
        checks.append(Check(g, "group", "FAIL" if absent else "group",
                            f"its tasks {', '.join(absent)} are not in the results" if absent
                            else "an average of its tasks, each verified below"))
    for task in known:
        config = doc.get("configs", {}).get(task, {})
        checks += [
            _params_check(task, config),
            _config_check(task, config, installed.get(task), why),
            _fewshot_check(task, doc, config),
            *[Check(task, "generation", "warning", w) for w in generation_warnings(task, config, doc)],
            _adaptive_check(task, doc["adaptive"]["tasks"][task], doc["results"][task]) if "adaptive" in doc
            else _estimate_check(task, results_path, doc["results"][task]),
        ]
    from importlib.metadata import version

    info = {"results file": str(results_path), "model_args": doc.get("config", {}).get("model_args"),
            "lm-eval (run / installed)": f"{doc.get('lm_eval_version', 'not recorded')} / {version('lm_eval')}",
            "date": doc.get("date")}
    return model_name(doc, results_path.stem), info, checks


def format_checks(model: str, info: dict, checks: list[Check]) -> str:
    lines = [f"model: {model}", *(f"{k}: {v}" for k, v in info.items()), "",
             "| task | check | result | detail |", "| --- | --- | --- | --- |"]
    lines += [f"| {c.task} | {c.name} | {c.status} | {c.detail} |" for c in checks]
    failed, skipped = counts(checks)
    warned = sum(c.status == "warning" for c in checks)
    lines += ["", ("verified" if not failed and not skipped else f"{failed} check(s) failed, {skipped} could not be run")
              + (f"; {warned} warning(s): the run differs from the leaderboard's" if warned else "")]
    return "\n".join(lines)


def counts(checks: list[Check]) -> tuple[int, int]:
    """(checks failed, checks that could not run)."""
    return sum(c.status == "FAIL" for c in checks), sum(c.status == "skipped" for c in checks)


def exit_code(checks: list[Check]) -> int:
    """0 when every check ran and passed; 1 when one failed; 3 when none
    failed but one could not run (the results are not verified)."""
    failed, skipped = counts(checks)
    return 1 if failed else 3 if skipped else 0
