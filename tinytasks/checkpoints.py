"""`tinytasks checkpoints`: the tiny tasks over a series of training
checkpoints, through lm-eval, with a table, a plot, and per task whether its
curve rises with the step steadily enough to pick a checkpoint by.

Each (checkpoint, task) run's per-item answers are cached, keyed by the
model arguments, a fingerprint of the checkpoint's files, the task's items
and prompts, and the run settings; estimates are computed from the answers
with the installed parameter files every time, as `tinytasks rescore` does.
Rerunning a series with more checkpoints or tasks evaluates only what is
new, and an upgrade of tinytasks runs no model again unless it changes the
items a task asks or their prompts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from tinytasks.estimators.checkpoint_trend import checkpoint_trend

from .registry import BENCHMARK_OF_TASK, GROUPS, TASK_CONFIG_DIR
from .results_files import task_answers
from .scoring import TaskEstimate, estimate_task, task_anchors
from .task_yaml import resolved_yaml

METRICS = ("est_score", "est_lower", "est_upper", "extrapolated", "misfit")


@dataclass(frozen=True)
class Checkpoint:
    step: float
    model_args: str


def default_cache_dir() -> Path:
    return Path(os.environ.get("TINYTASKS_CACHE_DIR", Path.home() / ".cache" / "tinytasks" / "checkpoints"))


def expand_tasks(names: list[str]) -> list[str]:
    """Tiny task names, the groups (`tiny_leaderboard`, ...) expanded to their six tasks."""
    out: list[str] = []
    for name in names:
        for t in GROUPS.get(name, [name]):
            if t not in BENCHMARK_OF_TASK:
                raise ValueError(f"unknown tiny task {t!r}; known: {sorted(BENCHMARK_OF_TASK)} or a group "
                                 f"({', '.join(GROUPS)})")
            if t not in out:
                out.append(t)
    return out


def checkpoint_series(model_args: str = "", steps: list[str] | None = None,
                      paths: list[str] | None = None) -> list[Checkpoint]:
    """Checkpoints from a model-args template with `{step}` and the steps, or
    from checkpoint folders (`model_args` is appended to each). A folder's
    step is the last number in its name when every folder's name has one
    (run/ckpt-100, run/step_2000); otherwise, e.g. with run/final, the steps
    are the folders' positions in the order given (1, 2, ...)."""
    if bool(steps) == bool(paths):
        raise ValueError("give either --steps (with {step} in --model_args) or --paths")
    if steps:
        if "{step}" not in model_args:
            raise ValueError("--model_args must contain {step} when --steps is given, e.g. pretrained=DIR/ckpt-{step}")
        series = [Checkpoint(float(s), model_args.replace("{step}", s.strip())) for s in steps]
    else:
        numbers = [re.findall(r"\d+", Path(p).name) for p in paths]
        numbered = all(numbers)
        extra = f",{model_args}" if model_args else ""
        series = [Checkpoint(float(n[-1]) if numbered else float(i), f"pretrained={p}{extra}")
                  for i, (p, n) in enumerate(zip(paths, numbers), 1)]
    if len({c.step for c in series}) != len(series):
        raise ValueError(f"two checkpoints have the same step: {[c.step for c in series]}")
    return sorted(series, key=lambda c: c.step)


def _weights_fingerprint(model_args: str) -> list:
    """Names, sizes and modification times of a local checkpoint's files
    (a re-saved checkpoint at the same path is not served from the cache)."""
    m = re.search(r"(?:^|,)pretrained=([^,]+)", model_args)
    folder = Path(m.group(1)) if m else None
    if folder is None or not folder.is_dir():
        return []
    return sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in folder.iterdir() if f.is_file())


def task_items_digest(task: str) -> str:
    """SHA-256 of what a task asks: its anchors' keys, documents and few-shot
    prefixes, and its YAML with what it includes, its metadata (the
    parameter file's checksum) left out. Answers cached under one digest
    answer exactly those prompts."""
    config = resolved_yaml(TASK_CONFIG_DIR / task / f"{task}.yaml")
    config.pop("metadata", None)
    ident = {"anchors": task_anchors(task), "config": config}
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()


def cache_key(model: str, ckpt: Checkpoint, task: str, settings: dict) -> str:
    ident = {"model": model, "model_args": ckpt.model_args, "files": _weights_fingerprint(ckpt.model_args),
             "task": task, "items": task_items_digest(task), "settings": settings}
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()


def estimate_metrics(est: TaskEstimate) -> dict[str, float]:
    """The METRICS of one estimate, as a run's results file has them."""
    return {"est_score": est.score, "est_lower": est.lower, "est_upper": est.upper,
            "extrapolated": float(est.extrapolated), "misfit": float(est.misfit)}


def evaluate_series(
    model: str, series: list[Checkpoint], tasks: list[str], cache_dir: Path, limit: int | None = None,
    eval_kwargs: dict | None = None, progress: Callable[[str], None] = print,
) -> tuple[dict[float, dict[str, dict]], int]:
    """({step: {task: metrics}}, number of lm-eval runs made). Cached answers
    are reused; each checkpoint's missing tasks are evaluated in one run, and
    every estimate is computed from the answers with the installed files."""
    import lm_eval

    from .lm_eval_support import task_manager

    eval_kwargs = dict(eval_kwargs or {})
    settings = {"limit": limit, **eval_kwargs}
    cache_dir.mkdir(parents=True, exist_ok=True)
    manager = None
    out, runs = {}, 0
    for i, ckpt in enumerate(series, 1):
        paths = {t: cache_dir / f"{cache_key(model, ckpt, t, settings)}.json" for t in tasks}
        missing = [t for t, p in paths.items() if not p.is_file()]
        progress(f"checkpoint {i}/{len(series)} (step {ckpt.step:g}): "
                 + (f"evaluating {', '.join(missing)}" if missing else "all tasks cached"))
        if missing:
            manager = manager or task_manager()
            res = lm_eval.simple_evaluate(model=model, model_args=ckpt.model_args, tasks=missing,
                                          task_manager=manager, limit=limit, log_samples=True, **eval_kwargs)
            runs += 1
            for t in missing:
                answers = task_answers(res["samples"][t], t, f"{ckpt.model_args} on {t}")
                paths[t].write_text(json.dumps({"task": t, "model_args": ckpt.model_args, "answers": answers},
                                               sort_keys=True))
        out[ckpt.step] = {t: estimate_metrics(estimate_task(t, json.loads(p.read_text())["answers"]))
                          for t, p in paths.items()}
    return out, runs


def series_report(series: list[Checkpoint], tasks: list[str], results: dict) -> dict:
    """Per task: the curve (step, score, lower, upper, flags) and its trend."""
    report = {}
    for t in tasks:
        steps = [c.step for c in series]
        curve = [{"step": s, **results[s][t]} for s in steps]
        trend = checkpoint_trend(steps, [r["est_score"] for r in curve])
        report[t] = {"curve": curve, "trend": asdict(trend)}
    return report


def report_markdown(model: str, series: list[Checkpoint], report: dict) -> str:
    lines = [f"# Tiny tasks over checkpoints ({model})", "",
             "| step | model_args | " + " | ".join(report) + " |",
             "| --- | --- | " + " | ".join("---" for _ in report) + " |"]
    for i, c in enumerate(series):
        cells = []
        for t in report:
            r = report[t]["curve"][i]
            flags = "".join(f" ({name})" for name in ("extrapolated", "misfit") if r[name])
            cells.append(f"{r['est_score']:.1f} [{r['est_lower']:.1f}, {r['est_upper']:.1f}]{flags}")
        lines.append(f"| {c.step:g} | `{c.model_args}` | " + " | ".join(cells) + " |")
    lines += ["", "| task | Spearman with step | usable to select checkpoints |", "| --- | --- | --- |"]
    for t, r in report.items():
        tr = r["trend"]
        rho = "-" if tr["spearman"] != tr["spearman"] else f"{tr['spearman']:.2f}"
        lines.append(f"| {t} | {rho} | {'yes' if tr['monotone'] else 'no'}: {tr['note']} |")
    return "\n".join(lines) + "\n"


def plot_series(report: dict, path: Path, title: str) -> None:
    """One panel per task: estimated score with its interval against the step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(report), figsize=(max(6.0, 4.0 * len(report)), 4.0), squeeze=False)
    for ax, (t, r) in zip(axes[0], report.items()):
        steps = [p["step"] for p in r["curve"]]
        score = [p["est_score"] for p in r["curve"]]
        lo = [p["est_score"] - p["est_lower"] for p in r["curve"]]
        hi = [p["est_upper"] - p["est_score"] for p in r["curve"]]
        ax.errorbar(steps, score, yerr=[lo, hi], marker="o", capsize=3)
        tr = r["trend"]
        ax.set_title(f"{t}\n" + ("monotone" if tr["monotone"] else "NOT monotone")
                     + ("" if tr["spearman"] != tr["spearman"] else f", Spearman {tr['spearman']:.2f}"), fontsize=9)
        ax.set_xlabel("step")
        ax.set_ylabel("estimated full score (95% interval)")
    fig.suptitle(textwrap.fill(title, 90), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_series(out_dir: Path, model: str, series: list[Checkpoint], report: dict) -> list[Path]:
    """checkpoints.md, checkpoints.json and checkpoints.png in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md, js, png = (out_dir / f"checkpoints.{ext}" for ext in ("md", "json", "png"))
    md.write_text(report_markdown(model, series, report))
    js.write_text(json.dumps({"model": model, "checkpoints": [asdict(c) for c in series], "tasks": report},
                             indent=1) + "\n")
    plot_series(report, png, f"{model}: {len(series)} checkpoints")
    return [md, js, png]
