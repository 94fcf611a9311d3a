"""`tinytasks compare A.json B.json`: per tiny task, whether two models'
estimated full scores differ by more than the estimation uncertainty."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinytasks.estimators import load_joint
from tinytasks.estimators.comparison import Difference, average_estimates, compare_estimates

from .registry import BENCHMARK_OF_TASK, BENCHMARKS, GROUPS, TASKS, joint_params_path
from .results_files import model_name, read_results

METRICS = ("est_score", "est_lower", "est_upper")


def read_estimates(path: str | Path) -> tuple[str, dict[str, tuple[float, float, float]]]:
    """(model name, {task: (score, lower, upper)}) from an lm-eval results JSON."""
    return estimates_in(*read_results(path))


def estimates_in(path: Path, doc: dict, fallback: str | None = None) -> tuple[str, dict[str, tuple[float, float, float]]]:
    """(model name, {task: (score, lower, upper)}) from a read results file
    `doc` at `path`; `fallback` names the model when the file does not
    (default: the file's stem)."""
    out = {}
    for task, res in doc["results"].items():
        if all(f"{m},none" in res for m in METRICS):
            out[task] = tuple(float(res[f"{m},none"]) for m in METRICS)
    if not out:
        raise ValueError(f"{path} has no tiny task estimates (est_score/est_lower/est_upper); "
                         "was it run with the tiny tasks?")
    return model_name(doc, fallback or path.stem), out


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


def format_average(path: str | Path) -> str:
    """The average of the tiny task estimates in one results file (the Open
    LLM Leaderboard average when all six benchmarks are there) with its
    interval, and the joint estimate of the lineup the file ran."""
    path, doc = read_results(path)
    name, est = estimates_in(path, doc)
    tasks = one_task_per_benchmark(est)
    if not tasks:
        raise ValueError(f"{path} has no tiny task estimates to average")
    s, lo, hi = (np.array([est[t][i] for t in tasks]) for i in range(3))
    mean, lower, upper = average_estimates(s, lo, hi)
    lines = [f"model: {name}", f"average of {len(tasks)} tiny tasks ({', '.join(tasks)}): {mean:.2f} "
             f"[{lower:.2f}, {upper:.2f}] (95%, errors independent)",
             f"the group's interval (mean of the bounds, conservative): [{lo.mean():.2f}, {hi.mean():.2f}]"]
    group = lineup_of(tasks)
    if len(tasks) < len(BENCHMARKS):
        lines.append(f"note: {len(BENCHMARKS) - len(tasks)} of the {len(BENCHMARKS)} leaderboard "
                     "tasks are missing; this is not the leaderboard average")
    elif group is None:
        lineups = "; ".join(f"{g}: " + ", ".join(members) for g, members in GROUPS.items())
        lines.append(f"note: no joint estimate: these tasks mix lineups; it is fitted per lineup ({lineups})")
    else:
        flags = {t: bool(doc["results"][t].get("extrapolated,none", False)) for t in tasks}
        lines += ["", *joint_lines({t: est[t] for t in tasks}, flags, joint_params_path(group))]
    return "\n".join(lines)


def one_task_per_benchmark(est: dict, benchmarks: tuple[str, ...] = BENCHMARKS) -> list[str]:
    """Per benchmark (default: the leaderboard's six, in its order), its tiny
    task in `est` with the most anchors."""
    tasks = []
    for bench in benchmarks:
        have = [t for t in est if BENCHMARK_OF_TASK.get(t) == bench]
        tasks += sorted(have, key=anchor_count, reverse=True)[:1]
    return tasks


def anchor_count(task: str) -> float:
    """How many anchors a shipped task asks (the whole pool counts as infinite)."""
    budget = TASKS[task][1]
    return float("inf") if budget is None else budget


def lineup_of(tasks: list[str]) -> str | None:
    """The lineup (group) whose six tasks these are, if any."""
    return next((g for g, members in GROUPS.items() if sorted(members) == sorted(tasks)), None)


def joint_lines(est: dict[str, tuple[float, float, float]], extrapolated: dict[str, bool],
                params: Path) -> list[str]:
    """The joint estimate of every task (each corrected by all six tasks'
    estimates) and their average, as report lines."""
    if not params.is_file():
        group = params.parent.name.removesuffix("_joint")
        return [f"note: no joint estimate ships for {group}; reinstall tinytasks"]
    joint, _ = load_joint(params)
    tasks = list(joint.tasks)
    missing = sorted(set(tasks) - set(est))
    if missing:
        return [f"note: no joint estimate: it needs all of {tasks} (missing {missing})"]
    own = np.array([[est[t][i] for t in tasks] for i in range(3)])
    flags = np.array([extrapolated.get(t, False) for t in tasks])
    s, lo, hi = (v[0] for v in joint.apply(*own, flags))
    lines = ["joint estimate (each task corrected by what all six estimates say; held-out error in "
             f"{params.parent}/report.md):", "", "| task | own estimate | joint estimate |", "| --- | --- | --- |"]
    for j, t in enumerate(tasks):
        note = (" (extrapolated: own kept)" if flags[j] else
                "" if joint.corrected[j] else " (own kept: the others did not help it, cross-validated)")
        lines.append(f"| {t} | {own[0, j]:.2f} [{own[1, j]:.2f}, {own[2, j]:.2f}] | "
                     f"{s[j]:.2f} [{lo[j]:.2f}, {hi[j]:.2f}]{note} |")
    mean, lower, upper = average_estimates(s, lo, hi)
    lines += ["", f"average of the joint estimates: {mean:.2f} [{lower:.2f}, {upper:.2f}] (95%, errors independent)"]
    return lines
