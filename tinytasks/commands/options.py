"""Options several commands share, with their defaults taken from the
settings objects (FitSettings, AdaptiveSettings, TierPolicy): one source."""

from __future__ import annotations

import argparse

from tinytasks.estimators import ANCHOR_METHODS
from tinytasks.estimators.anchors import SUPERVISED_MIN_MODELS_PER_ANCHOR

from ..fitting import REPORT_BUDGETS, FitSettings, parse_budgets


def add_fit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", type=lambda v: None if v in ("all", "pool") else int(v), default=FitSettings.budget,
                   help="number of anchor items, or 'all' (default: every eligible item of the pool, which "
                        "gave the lowest held-out error on every benchmark we have)")
    p.add_argument("--anchor-method", default=FitSettings.anchor_method, choices=ANCHOR_METHODS,
                   help=f"how anchors are chosen below the whole pool (default {FitSettings.anchor_method}: the items "
                        f"that best predict the full score, given {SUPERVISED_MIN_MODELS_PER_ANCHOR} calibration "
                        "models per anchor)")
    p.add_argument("--dims", type=int, default=FitSettings.n_dims,
                   help=f"dimensions of the IRT model (default {FitSettings.n_dims})")
    p.add_argument("--seed", type=int, default=FitSettings.seed)
    p.add_argument("--folds", type=int, default=FitSettings.n_folds, help="cross-validation folds for the report")
    p.add_argument("--report-budgets", type=parse_budgets, default=None,
                   help="budgets in the report, e.g. 10,25,50,100,all ('half': half the eligible pool; default "
                        f"{','.join(str(b or 'all') for b in REPORT_BUDGETS)}, or for fit-shared with --budget "
                        "only that budget)")


def fit_settings(a: argparse.Namespace) -> FitSettings:
    return FitSettings(budget=a.budget, anchor_method=a.anchor_method, n_dims=a.dims, seed=a.seed, n_folds=a.folds)


def add_model_options(p: argparse.ArgumentParser, model_args_help: str) -> None:
    """The lm-eval model options of the commands that run models themselves."""
    p.add_argument("--model", default="hf", help="lm-eval model backend (default hf)")
    p.add_argument("--model_args", default="", help=model_args_help)
    p.add_argument("--batch_size", default="1")
    p.add_argument("--device", help="e.g. cpu, cuda:0 (default: cuda when available, else cpu)")


def add_cache_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache-dir", help="result cache (default ~/.cache/tinytasks/checkpoints or $TINYTASKS_CACHE_DIR)")


def default_device() -> str:
    """What lm-eval's own command line ends up with when no device is given:
    the GPU when there is one, else the CPU."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def eval_kwargs(a: argparse.Namespace) -> dict:
    """simple_evaluate's batch size and device from the model options."""
    return {"batch_size": a.batch_size, "device": a.device or default_device()}
