"""`tinytasks similar`: calibration models that answer alike, and duplicates."""

from __future__ import annotations

import argparse

HELP = ("the calibration models that answer most like a model beyond what its ability explains, possible "
        "duplicates, a nearest-neighbour estimate; a dendrogram for several models")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", nargs="+", help="lm-eval output of tiny tasks written with --log_samples (a "
                                              "results_*.json or its folder, or a samples_*.jsonl), one per model")
    p.add_argument("--top", type=int, default=10, help="nearest calibration models listed per model (default 10)")
    p.add_argument("--dendrogram", help="PNG to draw the models' tree to (three or more results)")


def run(a: argparse.Namespace) -> int:
    from ..similar import format_similar

    print(format_similar(a.results, a.top, a.dendrogram))
    return 0
