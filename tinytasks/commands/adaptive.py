"""`tinytasks adaptive`: adaptive tiny evaluation through lm-eval."""

from __future__ import annotations

import argparse

from tinytasks.estimators.adaptive import AdaptiveSettings

ITEMS_PER_ROUND = 5  # one lm-eval call per round: more items per call, fewer calls
HELP = ("adaptive tiny evaluation: each round asks the items that tell most about this model's score, until the "
        "target SE or the item budget is reached")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .options import add_model_options

    add_model_options(p, "as for lm_eval, e.g. pretrained=DIR,dtype=float32")
    d = AdaptiveSettings()
    p.add_argument("--tasks", required=True, help="comma-separated whole-pool tiny tasks (tiny_mmlu_pool, tiny_hellaswag_pool, ...), or "
                                                "tiny_leaderboard_pool")
    p.add_argument("--target-se", type=float, default=d.target_se,
                   help="stop a task once its estimate's standard error (points) is at most this (default: use the "
                        "whole --max-items budget)")
    p.add_argument("--max-items", type=int, default=d.max_items, help=f"item budget per task (default {d.max_items})")
    p.add_argument("--min-items", type=int, default=d.min_items,
                   help=f"never stop on --target-se before this many items (earlier stops lose coverage; default "
                        f"{d.min_items})")
    p.add_argument("--items-per-round", type=int, default=ITEMS_PER_ROUND,
                   help=f"items chosen per task and round; one lm-eval call answers a round (default "
                        f"{ITEMS_PER_ROUND})")
    p.add_argument("--randomesque", type=int, default=d.randomesque,
                   help=f"draw each item among this many best (exposure control; default {d.randomesque}: always "
                        "the best)")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--output_path", help="folder for results_adaptive_<time>.json")


def run(a: argparse.Namespace) -> int:
    import lm_eval.api.registry

    from ..adaptive_run import (
        format_outcome,
        results_document,
        run_adaptive,
        write_results,
    )
    from .options import eval_kwargs

    settings = AdaptiveSettings(max_items=a.max_items, target_se=a.target_se, min_items=a.min_items,
                                batch_size=a.items_per_round, randomesque=a.randomesque, seed=a.seed)
    lm = lm_eval.api.registry.get_model(a.model).create_from_arg_string(a.model_args, eval_kwargs(a))
    doc = results_document(run_adaptive(lm, a.tasks.split(","), settings), a.model, a.model_args, settings)
    print(format_outcome(doc))
    if a.output_path:
        print(f"wrote {write_results(doc, a.output_path)}")
    return 0
