"""`tinytasks compare A B`: is one model ahead of another, per task?"""

from __future__ import annotations

import argparse

HELP = "per tiny task: is model A's estimated score above B's by more than the uncertainty? (two lm-eval results JSONs)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", help="lm-eval results JSON (or a folder holding exactly one) of model A")
    p.add_argument("b", help="the same for model B")


def run(a: argparse.Namespace) -> int:
    from ..compare import compare_files, format_comparison

    print(format_comparison(*compare_files(a.a, a.b)))
    return 0
