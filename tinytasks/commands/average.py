"""`tinytasks average`: the leaderboard average of a results file, and the joint estimate."""

from __future__ import annotations

import argparse

HELP = ("the average of the tiny task estimates in a results file (the leaderboard average) with an interval "
        "tighter than the group's")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", help="lm-eval results JSON (or its folder)")


def run(a: argparse.Namespace) -> int:
    from ..compare import format_average

    print(format_average(a.results))
    return 0
