"""`tinytasks compare A.json B.json`: per tiny task, whether two models'
estimated full scores differ by more than the estimation uncertainty."""

from __future__ import annotations

import json
from pathlib import Path

from estimators.comparison import Difference, compare_estimates

METRICS = ("est_score", "est_lower", "est_upper")


def read_estimates(path: str | Path) -> tuple[str, dict[str, tuple[float, float, float]]]:
    """(model name, {task: (score, lower, upper)}) from an lm-eval results JSON."""
    path = Path(path)
    if path.is_dir():
        found = sorted(path.rglob("results*.json"))
        if len(found) != 1:
            raise ValueError(f"{path} holds {len(found)} lm-eval results files; pass the one to compare")
        path = found[0]
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; pass an lm-eval results JSON (written with --output_path)")
    doc = json.loads(path.read_text())
    if "results" not in doc:
        raise ValueError(f"{path} is not an lm-eval results file (no 'results' key)")
    out = {}
    for task, res in doc["results"].items():
        if all(f"{m},none" in res for m in METRICS):
            out[task] = tuple(float(res[f"{m},none"]) for m in METRICS)
    if not out:
        raise ValueError(f"{path} has no tiny task estimates (est_score/est_lower/est_upper); "
                         "was it run with the tiny tasks?")
    name = str(doc.get("config", {}).get("model_args") or doc.get("model_name") or path.stem)
    return name, out


def compare_files(a: str | Path, b: str | Path) -> tuple[str, str, dict[str, Difference]]:
    """Per task present in both files: the difference A - B."""
    name_a, est_a = read_estimates(a)
    name_b, est_b = read_estimates(b)
    common = [t for t in est_a if t in est_b]
    if not common:
        raise ValueError(f"no tiny task is in both files (A: {sorted(est_a)}; B: {sorted(est_b)})")
    return name_a, name_b, {t: compare_estimates(est_a[t], est_b[t]) for t in common}


def format_comparison(name_a: str, name_b: str, diffs: dict[str, Difference]) -> str:
    lines = [f"A: {name_a}", f"B: {name_b}", "",
             "| task | A - B | 95% interval | P(A ahead) | verdict |", "| --- | --- | --- | --- | --- |"]
    for task, d in diffs.items():
        lines.append(f"| {task} | {d.diff:+.2f} | [{d.lower:+.2f}, {d.upper:+.2f}] | {d.prob_a_ahead:.3f} "
                     f"| {d.verdict} |")
    return "\n".join(lines)
