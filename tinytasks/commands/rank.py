"""`tinytasks rank`: several models in order, with what the order is sure of."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = ("several models in order of estimated score: rank intervals, P(best), P(top k), pairwise P(A > B), "
        "errors correlated as fitted on calibration data")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", nargs="+", help="lm-eval results JSONs or folders of them (one model per file; a "
                                              "model in several files is merged), or checkpoints.json files")
    p.add_argument("--top-k", type=int, default=3, help="k of P(top k) (default 3)")
    p.add_argument("--benchmarks", help="comma-separated benchmarks to rank on (default: every one all models have)")
    p.add_argument("--independent", action="store_true", help="take the models' errors as independent")
    p.add_argument("--json", help="also write the ranking and the full P(A > B) matrix to this JSON file")


def run(a: argparse.Namespace) -> int:
    from ..rank import format_ranking, rank_results, ranking_document

    ranking, data = rank_results(a.results, a.top_k, a.benchmarks.split(",") if a.benchmarks else None,
                                 a.independent)
    print(format_ranking(ranking, data))
    if a.json:
        Path(a.json).write_text(json.dumps(ranking_document(ranking, data), indent=1) + "\n")
        print(f"wrote {a.json}")
    return 0
