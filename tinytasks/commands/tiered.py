"""`tinytasks tiered`: the best of many models, cheaply."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..registry import TIERS
from ..tiered import TierPolicy

HELP = ("rank many models cheaply: every model on the 25-item lineup, the 100-item lineup for those that can "
        "still be in the top k, the pools for those still undecided (cached per model and task)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .options import add_cache_option, add_model_options

    add_model_options(p, "with --steps: a template with {step}; with --paths: appended to each checkpoint")
    p.add_argument("--models", nargs="+", help="one lm-eval model_args string per model, e.g. "
                                               "pretrained=org/a pretrained=org/b,dtype=float32")
    p.add_argument("--steps", help="comma-separated steps of a checkpoint template")
    p.add_argument("--paths", nargs="+", help="checkpoint folders")
    p.add_argument("--tiers", nargs="+", default=list(TIERS),
                   help="lineups from cheapest to dearest: groups or comma-separated tasks, each covering the "
                        "same benchmarks (default: " + " ".join(TIERS) + ")")
    p.add_argument("--top-k", type=int, default=TierPolicy.top_k,
                   help=f"the ranking's top k to decide (default {TierPolicy.top_k}: the best model)")
    p.add_argument("--threshold", type=float, default=TierPolicy.threshold,
                   help=f"a model goes on while its P(top k) is at least this (default {TierPolicy.threshold})")
    p.add_argument("--limit", type=int, help="items per task (quick looks; wider intervals)")
    add_cache_option(p)
    p.add_argument("--json", help="also write the ranking, tiers and cost to this JSON file")


def run(a: argparse.Namespace) -> int:
    from ..checkpoints import Checkpoint, checkpoint_series, default_cache_dir
    from ..tiered import format_tiered, run_tiered, write_tiered
    from .options import eval_kwargs

    if a.models:
        if a.steps or a.paths:
            raise ValueError("give the models with --models, or with --model_args and --steps/--paths, not both")
        series = [Checkpoint(float(i), m) for i, m in enumerate(a.models)]
    else:
        series = checkpoint_series(a.model_args, a.steps.split(",") if a.steps else None, a.paths)
    cache = Path(a.cache_dir) if a.cache_dir else default_cache_dir()
    doc = run_tiered(a.model, series, a.tiers, TierPolicy(a.top_k, a.threshold), cache, a.limit, eval_kwargs(a))
    print(format_tiered(doc))
    if a.json:
        print(f"wrote {write_tiered(doc, a.json)}")
    return 0
