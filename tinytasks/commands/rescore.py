"""`tinytasks rescore`: recompute a stored run's estimates with the installed parameter files."""

from __future__ import annotations

import argparse

HELP = ("recompute a stored run's tiny-task estimates from its logged samples with the installed parameter "
        "files (after a tinytasks update), written as a new results file")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", help="lm-eval results JSON (or its folder), written with --log_samples")
    p.add_argument("--output_path", required=True, help="folder for the rescored results file and its samples")


def run(a: argparse.Namespace) -> int:
    from ..rescore import rescore

    print(f"wrote {rescore(a.results, a.output_path)}")
    return 0
