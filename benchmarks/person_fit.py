"""Does the person-fit flag stay quiet on normal models and fire on corrupted
answers?

One split over models per benchmark (80% calibration, 20% held out, seeded).
On the held-out models' real answers to the whole pool the flag should fire
at about its nominal rate (5%). Two corruptions of the same answers:
- shuffled: each model's answers permuted across the items (same accuracy,
  pattern destroyed: hard items right as often as easy ones);
- contaminated: the model also answers correctly the hardest 20% of items
  (those the calibration models got right least often), as a model trained on
  leaked test items would.
For both: the flag rate overall and among models with accuracy 0.25-0.75
(where a pattern can be told apart from a shuffle of it), and for the
contamination also how far it moves the estimated score.

    python -m benchmarks.person_fit                       # ~4 min on 2 cores
    python -m benchmarks.person_fit --benchmarks mmlu
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tinytasks.estimators import TinyEstimator

from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import BENCHMARKS
from maintainer.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

HELD_OUT_SHARE = 0.2
HARDEST_SHARE = 0.2
MID = (0.25, 0.75)
RATES = ("normal", "shuffled", "shuffled_mid", "contaminated", "contaminated_mid")


def shuffled(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row's entries permuted independently."""
    return np.take_along_axis(y, rng.permuted(np.tile(np.arange(y.shape[1]), (y.shape[0], 1)), axis=1), axis=1)


def contaminated(y: np.ndarray, y_train: np.ndarray) -> np.ndarray:
    """The hardest items (lowest calibration accuracy) answered correctly."""
    hardest = np.argsort(np.nanmean(y_train, 0), kind="stable")[: int(round(HARDEST_SHARE * y.shape[1]))]
    out = y.copy()
    out[:, hardest] = 1.0
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "person_fit"))
    a = ap.parse_args()
    root = shared_data_dir()
    report = {}
    lines = ["# Person-fit flag on held-out models (shared data)", "",
             f"Whole pool as anchors, 3-D IRT, fitted on {1 - HELD_OUT_SHARE:.0%} of the models; rates on the other "
             f"{HELD_OUT_SHARE:.0%}. Nominal flag rate on normal models: 0.05. mid = models with accuracy "
             f"{MID[0]}-{MID[1]}. shift = mean change of the estimated score caused by the contamination (points).",
             "", "| benchmark | held-out models | normal | shuffled | shuffled (mid) | contaminated "
             "| contaminated (mid) | shift |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for bench in a.benchmarks.split(","):
        data = load_source(bench, root)
        y, s = data.responses, data.scores
        rng = np.random.default_rng(a.seed)
        test = np.zeros(len(s), bool)
        test[rng.choice(len(s), int(round(HELD_OUT_SHARE * len(s))), replace=False)] = True
        print(f"{bench}: fitting on {(~test).sum()} models x {y.shape[1]} items", flush=True)
        est = TinyEstimator(None, "stratified", 3, a.seed).fit(y[~test], s[~test])
        normal = est.predict(y[test])
        acc = normal.accuracy
        mid = (acc >= MID[0]) & (acc <= MID[1])
        shuf = est.predict(shuffled(y[test], rng))
        cont = est.predict(contaminated(y[test], y[~test]))
        row = {
            "n_test": int(test.sum()), "n_mid": int(mid.sum()), "threshold": est.person_fit_.threshold,
            "normal": float(normal.misfit.mean()), "shuffled": float(shuf.misfit.mean()),
            "shuffled_mid": float(shuf.misfit[mid].mean()), "contaminated": float(cont.misfit.mean()),
            "contaminated_mid": float(cont.misfit[mid].mean()),
            "contamination_shift": float(np.mean(cont.score - normal.score)),
        }
        report[bench] = row
        lines.append(table_row(bench, row["n_test"], *(f"{row[k]:.3f}" for k in RATES),
                               f"{row['contamination_shift']:+.2f}"))
    write_results(a.out, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
