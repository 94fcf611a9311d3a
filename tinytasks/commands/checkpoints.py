"""`tinytasks checkpoints`: tiny tasks over a training run's checkpoints."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = ("run tiny tasks over training checkpoints (cached); table, plot and whether each task's curve is "
        "monotone enough to select on")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .options import add_cache_option, add_model_options

    add_model_options(p, "with {step} when --steps is given, e.g. pretrained=run/ckpt-{step},dtype=float32")
    p.add_argument("--steps", help="comma-separated steps, e.g. 100,200,300")
    p.add_argument("--paths", nargs="+", help="checkpoint folders instead of --steps (step: last number in the name)")
    p.add_argument("--tasks", default="tiny_leaderboard", help="comma-separated tiny tasks or tiny_leaderboard")
    p.add_argument("--limit", type=int, help="anchors per task (quick looks; wider intervals)")
    p.add_argument("--out", required=True, help="folder for checkpoints.md/.json/.png")
    add_cache_option(p)


def run(a: argparse.Namespace) -> int:
    from ..checkpoints import (
        checkpoint_series,
        default_cache_dir,
        evaluate_series,
        expand_tasks,
        series_report,
        write_series,
    )
    from .options import eval_kwargs

    series = checkpoint_series(a.model_args, a.steps.split(",") if a.steps else None, a.paths)
    tasks = expand_tasks(a.tasks.split(","))
    cache = Path(a.cache_dir) if a.cache_dir else default_cache_dir()
    results, runs = evaluate_series(a.model, series, tasks, cache, a.limit, eval_kwargs(a))
    report = series_report(series, tasks, results)
    files = write_series(Path(a.out), a.model, series, report)
    print((Path(a.out) / "checkpoints.md").read_text())
    print(f"{runs} lm-eval run(s), the rest from the cache {cache}; wrote " + ", ".join(map(str, files)))
    return 0
