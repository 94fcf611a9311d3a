"""`python -m maintainer fit-joint`: each lineup's joint estimate and error correlation."""

from __future__ import annotations

import argparse
from pathlib import Path

from tinytasks.registry import GROUPS

HELP = "fit the joint estimate of a lineup (each task corrected by all six tasks' estimates) from shared/data"
WRITES_PARAMETERS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--group", default="all", choices=["all", *GROUPS],
                   help="the lineup whose joint estimate to fit (default: every lineup)")
    p.add_argument("--out", default=None, help="parameter file to write (default: the shipped one; one --group only)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache-dir", help="where the held-out estimates are kept for reuse (default "
                                       "~/.cache/tinytasks/held_out or $TINYTASKS_HELD_OUT_CACHE; 'none': no cache)")


def run(a: argparse.Namespace) -> int:
    from tinytasks.fitting import FitSettings

    from .joint_fitting import fit_joint, held_out_cache_dir

    if a.out and a.group == "all":
        raise ValueError("--out writes one joint estimate: give the lineup with --group")
    cache = None if a.cache_dir == "none" else Path(a.cache_dir) if a.cache_dir else held_out_cache_dir()
    for group in (GROUPS if a.group == "all" else [a.group]):
        report = fit_joint(FitSettings(seed=a.seed), group, Path(a.out) if a.out else None, cache_dir=cache)
        avg = report["validation"]["average"]
        print(f"{group}: held-out MAE of the leaderboard average: own {avg['own']['mae']:.3f}, "
              f"joint {avg['joint']['mae']:.3f}")
    return 0
