"""The fit options `tinytasks fit` (and the maintainers' fit-shared) take,
with their defaults from FitSettings: one source."""

from __future__ import annotations

import argparse

from tinytasks.estimators import ANCHOR_METHODS
from tinytasks.estimators.anchors import SUPERVISED_MIN_MODELS_PER_ANCHOR
from tinytasks.estimators.chance import ChanceLevel

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


def parse_chance(text: str) -> ChanceLevel:
    """'0.25,25' -> ChanceLevel(accuracy=0.25, score=25.0), with a clear error."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError("expected two numbers")
        return ChanceLevel(float(parts[0]), float(parts[1]))
    except ValueError as e:
        raise argparse.ArgumentTypeError(
            f"--chance takes ACCURACY,SCORE: a uniform guesser's expected anchor accuracy (0-1) and full score "
            f"(0-100), e.g. 0.25,25 for four choices; got {text!r} ({e})") from e


def fit_settings(a: argparse.Namespace, chance: ChanceLevel | None = None) -> FitSettings:
    return FitSettings(budget=a.budget, anchor_method=a.anchor_method, n_dims=a.dims, seed=a.seed, n_folds=a.folds,
                       chance=chance)


