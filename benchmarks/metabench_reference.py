"""What metabench's reference error is made of: can its abilities be computed
from the response pools we have?

metabench's own held-out MAE is our reference. Those
predictions map metabench's ability `theta` (column of its __scores.csv) to the
full score. This script checks, per benchmark, on the models with responses:

- how well `theta` is reproduced by metabench's own IRT model (its fitted item
  parameters, __items.csv, both stored sets; EAP under a standard normal prior)
  applied to the pool's responses;
- the cross-validated MAE (5-fold over models) of an isotonic map to the full
  score from: metabench's `theta`; that pool-only reproduction; the pool's
  mean accuracy;
- the partial correlation of `theta` with the full score once everything the
  pool says (gradient boosting on the reproduced ability, the pool accuracy
  and every response, cross-validated) is taken out of both. Near 0 means
  `theta` holds nothing about the full score beyond the pool; well above 0
  means it carries information from outside the pool (e.g. answers to items
  not in it);
- our own whole-pool MAE, read from benchmarks/results/estimation_error.json.
  Our pool can be larger than metabench's: where the shared data holds
  two metabench pools of a benchmark (ARC, GSM8K), tinytasks merges them;
  the item count is given beside it.

    python -m benchmarks.metabench_reference        # ~1 min on 2 cores
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import KFold, cross_val_predict

from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import SPECS
from maintainer.shared_data import shared_data_dir

ROOT = Path(__file__).resolve().parents[1]

PUBLISHED = ("arc", "gsm8k", "mmlu", "truthfulqa", "winogrande")  # the benchmarks this comparison covers
OUT = ROOT / "benchmarks" / "results" / "metabench_reference"
FOLDS = KFold(5, shuffle=True, random_state=0)


def eap_4pl(responses: np.ndarray, items: pd.DataFrame, suffix: str) -> np.ndarray:
    """EAP ability under metabench's item model P = g + (u - g) / (1 + exp(-(a*theta + d)))
    with parameters `a1<suffix>`, `d<suffix>`, `g<suffix>`, `u<suffix>` and a N(0, 1) prior."""
    nodes = np.linspace(-6, 6, 241)
    a, d, g, u = (items[f"{k}{suffix}"].to_numpy(float) for k in ("a1", "d", "g", "u"))
    p = np.clip(g + (u - g) / (1 + np.exp(-(np.outer(nodes, a) + d))), 1e-12, 1 - 1e-12)
    loglik = responses @ np.log(p).T + (1 - responses) @ np.log(1 - p).T - nodes**2 / 2
    return np.exp(loglik - logsumexp(loglik, axis=1, keepdims=True)) @ nodes


def isotonic_cv_mae(x: np.ndarray, y: np.ndarray) -> float:
    errors = np.empty_like(y)
    for train, test in FOLDS.split(x):
        iso = IsotonicRegression(out_of_bounds="clip").fit(x[train], y[train])
        errors[test] = np.abs(iso.predict(x[test]) - y[test])
    return float(errors.mean())


def partial_correlation(a: np.ndarray, b: np.ndarray, given: np.ndarray) -> float:
    """Correlation of a and b after each is replaced by its cross-validated
    residual on `given`."""
    def residual(v):
        return v - cross_val_predict(HistGradientBoostingRegressor(random_state=0), given, v, cv=FOLDS)
    return float(np.corrcoef(residual(a), residual(b))[0, 1])


def analyse(benchmark: str, data_dir: Path, ours: dict) -> dict:
    src = SPECS[benchmark].calibration
    pool = src.responses[0]  # metabench's own pool, the one its theta and predictions come from
    responses = pd.read_csv(data_dir / pool, index_col=0)
    scores = pd.read_csv(data_dir / src.scores, index_col=0)
    items = pd.read_csv(data_dir / pool.replace("__responses.csv", "__items.csv"), dtype={"item": str})
    items = items.set_index("item").loc[responses.columns]
    test = scores[scores["set"] == "test"]
    train = scores.loc[responses.index]
    y, theta = train["score"].to_numpy(float), train["theta"].to_numpy(float)
    x = responses.to_numpy(float)
    if np.isnan(x).any():
        raise ValueError(f"{pool} has missing cells; this check needs complete responses")
    reproduced = {s: eap_4pl(x, items, s) for s in (".x", ".y")}
    best = max(reproduced, key=lambda s: np.corrcoef(reproduced[s], theta)[0, 1])
    eap, accuracy = reproduced[best], x.mean(1)
    return {
        "benchmark": benchmark, "pool": x.shape[1], "models": x.shape[0],
        "metabench_heldout_mae": float((test["score"] - test["p"]).abs().mean()),
        "reproduction_parameters": best,
        "reproduction_pearson": float(np.corrcoef(eap, theta)[0, 1]),
        "iso_mae_metabench_theta": isotonic_cv_mae(theta, y),
        "iso_mae_pool_eap": isotonic_cv_mae(eap, y),
        "iso_mae_pool_accuracy": isotonic_cv_mae(accuracy, y),
        "partial_corr_theta_score_given_pool": partial_correlation(theta, y, np.column_stack([eap, accuracy, x])),
        "tinytasks_whole_pool_mae": ours.get(benchmark),
    }


def our_whole_pool_mae() -> dict:
    path = ROOT / "benchmarks" / "results" / "estimation_error.json"
    if not path.exists():
        return {}
    benchmarks = json.loads(path.read_text())["benchmarks"]
    return {bench: {"mae": row["tiny"]["mae"], "items": row["budget"]} for bench, b in benchmarks.items()
            for row in b["validation"] if row["whole_pool"]}


def main() -> int:
    data_dir = shared_data_dir()
    ours = our_whole_pool_mae()
    lines = [
        "# metabench's reference error and the information in its abilities",
        "",
        "Models with responses (metabench's `train` rows); isotonic maps to the full score cross-validated "
        "5-fold over models; MAE in leaderboard points. Reproduced = EAP from the pool's responses under "
        "metabench's own fitted item parameters. Partial r = correlation of metabench's theta with the full "
        "score after what the pool says (reproduced ability, pool accuracy, every response; gradient boosting) "
        "is taken out of both.",
        "",
        "| benchmark | pool | metabench held-out MAE | r(theta, reproduced) | iso MAE: metabench theta "
        "| iso MAE: reproduced from pool | iso MAE: pool accuracy | partial r | tinytasks whole-pool MAE (items) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    report = []
    for bench in PUBLISHED:
        r = analyse(bench, data_dir, ours)
        report.append(r)
        mine = r["tinytasks_whole_pool_mae"]
        lines.append(table_row(
            bench, r["pool"], f"{r['metabench_heldout_mae']:.2f}", f"{r['reproduction_pearson']:.3f}",
            f"{r['iso_mae_metabench_theta']:.2f}", f"{r['iso_mae_pool_eap']:.2f}",
            f"{r['iso_mae_pool_accuracy']:.2f}", f"{r['partial_corr_theta_score_given_pool']:.2f}",
            "-" if mine is None else f"{mine['mae']:.2f} ({mine['items']})"))
    write_results(OUT, lines, {"rows": report})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
