"""`python -m maintainer fit-shared`: refit the shipped parameter files from ../shared/data."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from tinytasks.benchmark_specs import ALL_BENCHMARKS, SPECS
from tinytasks.registry import DEFAULT_BUDGET, TASK_CONFIG_DIR, TASKS, task_name

HELP = ("refit shipped parameter files from shared/data: --budget 100 writes tiny_<benchmark>, 25 "
        "tiny_<benchmark>_25, all tiny_<benchmark>_pool (with the score maps for adaptive tests)")
WRITES_PARAMETERS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    from tinytasks.commands.fit_options import add_fit_options

    p.add_argument("--benchmark", default="all", choices=["all", *ALL_BENCHMARKS],
                   help="default: every benchmark that has a tiny task at --budget")
    p.add_argument("--out-dir", default=str(TASK_CONFIG_DIR))
    add_fit_options(p)
    p.set_defaults(budget=DEFAULT_BUDGET)


def run(a: argparse.Namespace) -> int:
    from tinytasks.commands.fit_options import fit_settings
    from tinytasks.fitting import REPORT_BUDGETS, fit_task

    from .shared_data import item_table, load_source, shared_data_dir

    names = [b for b in ALL_BENCHMARKS if task_name(b, a.budget) in TASKS] if a.benchmark == "all" else [a.benchmark]
    if Path(a.out_dir).resolve() == TASK_CONFIG_DIR:
        unknown = [task_name(b, a.budget) for b in names if task_name(b, a.budget) not in TASKS]
        if unknown:
            raise ValueError(f"fit-shared writes the shipped tasks ({', '.join(sorted(TASKS))}); "
                             f"{', '.join(unknown)} is not one. Give --out-dir to fit other budgets elsewhere")
    root = shared_data_dir()  # after the arguments are checked, so their errors come first
    for bench in names:
        src = SPECS[bench].calibration
        items = item_table(bench, root)
        data = load_source(bench, root, items)
        task = task_name(bench, a.budget)
        budget = TASKS[task][1] if task in TASKS else a.budget  # a budget at or above the pool is the pool
        report_budgets = a.report_budgets
        if report_budgets is None:
            report_budgets = REPORT_BUDGETS if budget is None else (budget,)
        files = ", ".join(f"shared/data/{r}" for r in src.responses)
        source = {"responses": list(src.responses), "scores": src.scores, "licence": src.licence}
        if src.supplements:
            files += " with the items of known text from " + ", ".join(f"shared/data/{r}" for r in src.supplements)
            source["supplements"] = list(src.supplements)
            borrowing = int((items["prefix_from"] != "").sum())
            if borrowing:
                source["borrowed_prefix_items"] = borrowing
                files += f" ({borrowing} of them asked with a borrowed few-shot prefix)"
        source["description"] = f"{files}; prompt format: {src.lm_eval_format}"
        out = Path(a.out_dir) / task / "params.json"
        # Adaptive tests choose among a benchmark's whole pool: only its whole-pool task gets their score maps.
        # a benchmark's own fit settings (its spec's `fit`) over the command line's
        settings = replace(fit_settings(a, SPECS[bench].chance), budget=budget, **dict(SPECS[bench].fit))
        fit_task(task, bench, data, items, out, settings, source, report_budgets,
                 item_texts=Path(a.out_dir) / "items" / f"{bench}.json.gz", adaptive=budget is None,
                 items_about=SPECS[bench].items.to_dict())
    return 0
