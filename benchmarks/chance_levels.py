"""Chance levels and what the chance-aware estimate changes.

1. Each benchmark's chance level (a uniform guesser's expected item
   correctness and full score), computed from ../shared/data/benchmarks, next
   to the constants tinytasks ships (each `BenchmarkSpec.chance` in `tinytasks.benchmark_specs`).
2. On the calibration models of the shared data, scored with the shipped
   parameter files (in-sample: these models fitted them), the estimates with
   and without the chance level: how many models it touches and their MAE,
   95% coverage and mean interval width. Only models at or below chance
   accuracy, or beyond every calibration model, can change.
3. The packaged SmolLM2-135M's tiny_mmlu answers (benchmarks/results/full_reference/)
   with and without it, against the model's full-MMLU reference score; and
   tiny_hellaswag for a model that answers none of its anchors right (both
   packaged models did).

    python -m benchmarks.chance_levels     # about 6 minutes
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
from tinytasks.estimators.metrics import score_metrics

from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import SPECS
from tinytasks.documents import load_local_docs
from tinytasks.registry import BENCHMARK_OF_TASK
from tinytasks.scoring import anchor_keys, load_task_params
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

OUT = ROOT / "benchmarks" / "results" / "chance_levels"


def without_chance(est):
    """The same fitted estimator with no chance level (the file's own is `est.chance`)."""
    plain = copy.copy(est)
    plain.chance = None
    return plain


def _interval_metrics(res, truth: np.ndarray) -> dict:
    m = score_metrics(res.score, truth, res.lower, res.upper)
    return {"mae": m["mae"], "coverage": m["coverage"], "width": m["mean_interval_width"]}


def main() -> int:
    root = shared_data_dir()
    lines = ["# Chance levels", "",
             "| benchmark | computed accuracy | computed score | shipped accuracy | shipped score |",
             "| --- | --- | --- | --- | --- |"]
    report: dict = {"levels": {}, "calibration_models": {}}
    for bench, spec in SPECS.items():
        shipped = spec.chance
        got = spec.chance_on(load_local_docs(bench, root / "benchmarks"))
        report["levels"][bench] = {"computed": got.to_dict(), "shipped": shipped.to_dict()}
        lines.append(table_row(bench, f"{got.accuracy:.4f}", f"{got.score:.2f}", shipped.accuracy,
                               shipped.score))

    lines += ["", "## Shipped tasks on the shared calibration models (in-sample)", "",
              "| task | models | changed | MAE without / with | 95% coverage without / with | mean width without / with "
              "| width of the changed, without / with |", "| --- | --- | --- | --- | --- | --- | --- |"]
    data = {}
    for task, bench in BENCHMARK_OF_TASK.items():
        if bench not in data:
            data[bench] = load_source(bench, root)
        d = data[bench]
        est, meta, _ = load_task_params(task)
        ya = d.responses[:, [d.items.index(a["item"]) for a in meta["anchors"]]]
        keep = ~np.isnan(ya).all(1)
        ya, truth = ya[keep], d.scores[keep]
        plain = without_chance(est).predict(ya)
        aware = est.predict(ya)
        changed = ~(np.isclose(plain.score, aware.score) & np.isclose(plain.lower, aware.lower)
                    & np.isclose(plain.upper, aware.upper))
        a, b = _interval_metrics(plain, truth), _interval_metrics(aware, truth)
        w_plain = float(np.mean(plain.upper[changed] - plain.lower[changed])) if changed.any() else float("nan")
        w_aware = float(np.mean(aware.upper[changed] - aware.lower[changed])) if changed.any() else float("nan")
        report["calibration_models"][task] = {"models": int(keep.sum()), "changed": int(changed.sum()),
                                              "without": a, "with": b, "changed_width": [w_plain, w_aware]}
        lines.append(table_row(task, int(keep.sum()), int(changed.sum()), f"{a['mae']:.3f} / {b['mae']:.3f}",
                               f"{100 * a['coverage']:.1f}% / {100 * b['coverage']:.1f}%",
                               f"{a['width']:.2f} / {b['width']:.2f}", f"{w_plain:.1f} / {w_aware:.1f}"))

    ref = json.loads((ROOT / "benchmarks" / "results" / "full_reference" / "mmlu_smollm2-135m.json").read_text())
    est, _, _ = load_task_params("tiny_mmlu")
    keys = anchor_keys("tiny_mmlu")
    row = np.array([[ref["anchor_answers"][k] for k in keys]])
    lines += ["", "## SmolLM2-135M on tiny_mmlu (its answers from full_reference)", "",
              "| estimate | score | 95% interval | full-MMLU reference |", "| --- | --- | --- | --- |"]
    report["smollm2_mmlu"] = {"reference": [ref["reference_score"], ref["reference_se"]]}
    for name, e in (("without chance level", without_chance(est)), ("with chance level", est)):
        r = e.predict(row)
        report["smollm2_mmlu"][name] = [float(r.score[0]), float(r.lower[0]), float(r.upper[0])]
        lines.append(table_row(name, f"{r.score[0]:.2f}", f"[{r.lower[0]:.2f}, {r.upper[0]:.2f}]",
                               f"{ref['reference_score']:.2f} +- {ref['reference_se']:.2f}"))
    est, _, _ = load_task_params("tiny_hellaswag")
    lines += ["", "## Nothing right on tiny_hellaswag", "", "| estimate | score | 95% interval | extrapolated |",
              "| --- | --- | --- | --- |"]
    nothing = np.zeros((1, len(anchor_keys("tiny_hellaswag"))))
    for name, e in (("without chance level", without_chance(est)), ("with chance level", est)):
        r = e.predict(nothing)
        report.setdefault("hellaswag_nothing_right", {})[name] = [float(r.score[0]), float(r.lower[0]),
                                                                  float(r.upper[0])]
        lines.append(table_row(name, f"{r.score[0]:.2f}", f"[{r.lower[0]:.2f}, {r.upper[0]:.2f}]",
                               int(r.extrapolated[0])))
    write_results(OUT, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
