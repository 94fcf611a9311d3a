"""`tinytasks fit`: anchors and parameters from your own models' results."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "fit anchors and parameters from your own models' results"
WRITES_PARAMETERS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .options import add_fit_options

    p.add_argument("--responses", required=True, help="CSV: a 'model' column, then one 0/1/empty column per item")
    p.add_argument("--scores", required=True, help="CSV with each model's full-benchmark score (0-100)")
    p.add_argument("--score-column", default="score")
    p.add_argument("--model-column", default="model")
    p.add_argument("--items", help="CSV mapping response columns ('item') to stable keys ('key'), optionally "
                                   "'match_text' and 'fewshot_prefix'; only these items can be anchors")
    p.add_argument("--task", required=True, help="task name recorded in the file, e.g. tiny_myeval")
    p.add_argument("--benchmark", help="benchmark name recorded in the file (default: the task name)")
    p.add_argument("--licence", default="not given", help="licence of the calibration data")
    p.add_argument("--description", default="", help="one line on where the data comes from")
    p.add_argument("--out", required=True, help="parameter file to write; report.json/.md go beside it")
    add_fit_options(p)


def run(a: argparse.Namespace) -> int:
    import pandas as pd

    from tinytasks.estimators.tables import load_calibration_data

    from ..fitting import REPORT_BUDGETS, fit_task
    from .options import fit_settings

    data = load_calibration_data(a.responses, a.scores, a.score_column, a.model_column)
    items = None
    if a.items:
        items = pd.read_csv(a.items, dtype=str, keep_default_na=False)
        missing = {"item", "key"} - set(items.columns)
        if missing:
            raise ValueError(f"{a.items} needs columns 'item' and 'key' (missing {sorted(missing)})")
        for col in ("match_text", "fewshot_prefix"):
            if col not in items.columns:
                items[col] = ""
    source = {"responses": Path(a.responses).name, "scores": Path(a.scores).name,
              "licence": a.licence, "description": a.description}
    report_budgets = REPORT_BUDGETS if a.report_budgets is None else a.report_budgets
    fit_task(a.task, a.benchmark or a.task, data, items, Path(a.out), fit_settings(a), source, report_budgets)
    return 0
