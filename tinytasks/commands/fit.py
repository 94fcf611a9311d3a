"""`tinytasks fit`: anchors and parameters from your own models' results."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "fit anchors and parameters from your own models' results"
WRITES_PARAMETERS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    from .fit_options import add_fit_options, parse_chance

    p.add_argument("--responses", required=True, help="CSV: a 'model' column, then one 0/1/empty column per item")
    p.add_argument("--scores", required=True, help="CSV with each model's full-benchmark score (0-100)")
    p.add_argument("--score-column", default="score")
    p.add_argument("--model-column", default="model")
    p.add_argument("--items", help="CSV mapping response columns ('item') to stable keys ('key'), optionally "
                                   "'match_text', 'fewshot_prefix' and 'doc' (the item's document as a JSON object, "
                                   "what its prompt is made from); only these items can be anchors")
    p.add_argument("--prompt", help="YAML of lm-eval prompt fields (doc_to_text, doc_to_choice, ...): also write an "
                                    "lm-eval task folder beside --out that runs the task (needs --items with 'doc')")
    p.add_argument("--task", required=True, help="task name recorded in the file, e.g. tiny_myeval")
    p.add_argument("--benchmark", help="benchmark name recorded in the file (default: the task name)")
    p.add_argument("--licence", default="not given", help="licence of the calibration data")
    p.add_argument("--description", default="", help="one line on where the data comes from")
    p.add_argument("--out", required=True, help="parameter file to write; report.json/.md go beside it")
    p.add_argument("--chance", type=parse_chance, default=None, metavar="ACCURACY,SCORE",
                   help="the benchmark's chance level, written into the file: a uniform guesser's expected anchor "
                        "accuracy (0-1) and full score (0-100), e.g. 0.25,25 for four choices or 0,0 for exact-match "
                        "generation; estimates at and below it then reach it (default: none)")
    add_fit_options(p)


def run(a: argparse.Namespace) -> int:
    import pandas as pd

    from tinytasks.estimators.tables import load_calibration_data

    from ..fitting import REPORT_BUDGETS, fit_task
    from .fit_options import fit_settings

    from ..task_folder import read_prompt, write_task_folder

    prompt = read_prompt(a.prompt) if a.prompt else None  # checked before the fit
    if prompt is not None and not a.items:
        raise ValueError("--prompt writes a task that asks your items: give --items with a 'doc' column (each "
                         "item's document as a JSON object)")
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
        if "doc" in items.columns:
            items["doc"] = [_document(a.items, i, text) for i, text in enumerate(items["doc"], 2)]
    if prompt is not None and (items is None or "doc" not in items.columns):
        raise ValueError("--prompt writes a task that asks your items: give --items with a 'doc' column (each "
                         "item's document as a JSON object)")
    source = {"responses": Path(a.responses).name, "scores": Path(a.scores).name,
              "licence": a.licence, "description": a.description}
    report_budgets = REPORT_BUDGETS if a.report_budgets is None else a.report_budgets
    out = Path(a.out)
    fit_task(a.task, a.benchmark or a.task, data, items, out, fit_settings(a, a.chance), source, report_budgets)
    if prompt is not None:
        written = write_task_folder(a.task, out, prompt, json.loads(out.read_text())["sha256"])
        print(f"{a.task}: wrote the task folder {out.parent} ({', '.join(p.name for p in written)}); run it with "
              f"lm_eval --include_path {out.parent} --tasks {a.task}")
    return 0


def _document(path: str, row: int, text: str) -> dict | None:
    """An items CSV's `doc` cell as a JSON object (None when empty)."""
    if not text.strip():
        return None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}, row {row}, column 'doc': not JSON ({e}); give the item's document as a JSON "
                         "object") from e
    if not isinstance(doc, dict):
        raise ValueError(f"{path}, row {row}, column 'doc': expected a JSON object, got {type(doc).__name__}")
    return doc
