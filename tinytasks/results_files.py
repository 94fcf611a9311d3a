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


def samples_file(results_path: Path, task: str) -> Path:
    """The samples JSONL of `task` written with the results file (same time stamp)."""
    stamp = results_path.stem.removeprefix("results_")
    path = results_path.with_name(f"samples_{task}_{stamp}.jsonl")
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} not found beside {results_path.name}; rerun lm-eval with "
                                "--log_samples so the estimate can be recomputed from the per-item results")
    return path


def read_samples(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def model_name(doc: dict, fallback: str) -> str:
    return str(doc.get("config", {}).get("model_args") or doc.get("model_name") or fallback)
