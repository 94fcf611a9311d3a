"""tinytasks' IRT fit against girth's, on the same real matrices.

tinytasks fits a 2PL / M2PL by joint MAP (abilities and item parameters
together, L-BFGS, tinytasks.estimators.IRTFitter). girth (Ryan Sanchez's
pure-Python IRT library) fits them by marginal maximum likelihood (EM over a
quadrature grid): `twopl_mml` in 1-D, `multidimensional_twopl_mml` in 2-D.
On each matrix, models are split 80/20 at random; each fit sees the 80%,
and is scored by

- wall time on this machine (one fit each, nothing else running);
- held-out log-likelihood per answer: each held-out model's answers
  integrated over ability (Gauss-Hermite grid) under the ability
  distribution the fit assumes (tinytasks: the Gaussian of its fitted
  abilities; girth: standard normal);
- in 1-D, the agreement of the item parameters, both written as the logit
  a * theta + c (girth's a(theta - b) has c = -a b): Pearson r of the
  intercepts c and of the slopes a. (Difficulties -c/a are not compared:
  items with a slope near 0 put them anywhere.)

Also the fit time of tinytasks alone for 1-3 dimensions, the sizes it
ships. mirt (R) and py-irt (Pyro) are not installed here, so they are not in
the comparison. girth's 2-D fit is slow (see COMPARISONS), and its default
start calls a SciPy function removed in SciPy 1.15; it runs without it.

    pip install girth
    python -m benchmarks.irt_fit_time
"""

from __future__ import annotations

import time
from importlib.metadata import version
from itertools import product
from pathlib import Path

import numpy as np
from scipy.special import log_expit, logsumexp

from benchmarks.results_io import table_row, write_results
from tinytasks.estimators import IRTFitter
from tinytasks.estimators.ability import AbilityPrior
from tinytasks.estimators.tables import load_calibration_data
from tinytasks.benchmark_specs import SPECS
from tinytasks.shared_data import load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]
GRID = {1: 61, 2: 21}
# (benchmark, models kept (None: all), dimensions). girth's 2-D fit took 295 s
# on 500 x 40 simulated answers, so in 2-D it gets a 600-model subsample.
COMPARISONS = (("mmlu", None, (1,)), ("arc", None, (1,)), ("gsm8k", None, (1,)), ("hellaswag", 600, (1, 2)))  # Gauss-Hermite nodes per dimension for the held-out likelihood


def held_out_loglik(y: np.ndarray, slopes: np.ndarray, intercepts: np.ndarray, mean: np.ndarray,
                    cov: np.ndarray) -> float:
    """Mean log-likelihood per answer of the rows of `y` (0/1), each
    integrated over abilities ~ N(mean, cov) on a Gauss-Hermite grid."""
    d = slopes.shape[1]
    x, w = np.polynomial.hermite_e.hermegauss(GRID[d])
    nodes = np.array(list(product(x, repeat=d)))
    logw = np.log(np.array([np.prod(c) for c in product(w, repeat=d)]) / np.sqrt(2 * np.pi) ** d)
    theta = mean + nodes @ np.linalg.cholesky(cov).T
    logits = theta @ slopes.T + intercepts  # nodes x items
    ll = y @ log_expit(logits).T + (1 - y) @ log_expit(-logits).T  # models x nodes
    return float(logsumexp(ll + logw, axis=1).sum() / y.size)


def ours(train: np.ndarray, d: int) -> dict:
    t0 = time.perf_counter()
    fit = IRTFitter(n_dims=d).fit(train)
    seconds = time.perf_counter() - t0
    prior = AbilityPrior.from_abilities(fit.abilities)
    return {"seconds": seconds, "slopes": fit.bank.slopes, "intercepts": fit.bank.intercepts,
            "mean": prior.mean, "cov": prior.cov}


def girths(train: np.ndarray, d: int) -> dict:
    import girth

    t0 = time.perf_counter()
    data = train.T.astype(int)  # girth takes items x participants
    if d == 1:
        r = girth.twopl_mml(data)
        a, b = np.asarray(r["Discrimination"], float), np.asarray(r["Difficulty"], float)
        slopes, intercepts = a[:, None], -a * b
    else:
        # its default start (polychoric correlations) calls a function SciPy removed
        r = girth.multidimensional_twopl_mml(data, d, {"initial_guess": False})
        slopes = np.asarray(r["Discrimination"], float)
        intercepts = np.asarray(r["Difficulty"], float).ravel()
    return {"seconds": time.perf_counter() - t0, "slopes": slopes, "intercepts": intercepts,
            "mean": np.zeros(d), "cov": np.eye(d)}


def main() -> int:
    try:
        import girth  # noqa: F401
    except ImportError:
        raise SystemExit("this comparison needs girth: pip install girth")
    root = shared_data_dir()
    rng = np.random.default_rng(0)
    lines = ["# IRT fit: tinytasks against girth (held-out models)", "",
             "80/20 split of models; held-out log-likelihood per answer (higher is better); 1-D item "
             "parameters (logit a theta + c) compared as Pearson r between the two fits.", "",
             "| matrix | dims | library | fit s | held-out log-lik per answer | r(intercept) | r(slope) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    rows = []
    for bench, cap, dims in COMPARISONS:
        y = load_calibration_data(root / SPECS[bench].calibration.responses[0], root / SPECS[bench].calibration.scores).responses
        y = y[~np.isnan(y).any(1)]  # girth takes complete matrices
        if cap:
            y = y[np.sort(rng.choice(y.shape[0], cap, replace=False))]
        test = rng.random(y.shape[0]) < 0.2
        train, held = y[~test], y[test]
        label = f"{bench} {train.shape[0]}+{held.shape[0]} x {y.shape[1]}"
        for d in dims:
            fits = {"tinytasks": ours(train, d), "girth": girths(train, d)}
            for name, f in fits.items():
                row = {"matrix": label, "dims": d, "library": name, "seconds": f["seconds"],
                       "held_out_loglik": held_out_loglik(held, f["slopes"], f["intercepts"], f["mean"], f["cov"])}
                if d == 1:
                    row["r_intercept"] = float(np.corrcoef(fits["tinytasks"]["intercepts"],
                                                           fits["girth"]["intercepts"])[0, 1])
                    row["r_slope"] = float(np.corrcoef(fits["tinytasks"]["slopes"][:, 0],
                                                       fits["girth"]["slopes"][:, 0])[0, 1])
                rows.append(row)
                lines.append(table_row(label, d, name, f"{row['seconds']:.1f}", f"{row['held_out_loglik']:.4f}",
                                       f"{row['r_intercept']:.3f}" if d == 1 else "-",
                                       f"{row['r_slope']:.3f}" if d == 1 else "-"))
    lines += ["", "## tinytasks alone, 1-3 dimensions, the largest matrices", "",
              "| matrix | dims | fit s | L-BFGS iterations | converged |", "| --- | --- | --- | --- | --- |"]
    src = SPECS["gsm8k"].calibration
    timing = []
    for y in (load_calibration_data(root / src.responses[0], root / src.scores).responses,
              load_source("gsm8k", root).responses):
        for d in (1, 2, 3):
            t0 = time.perf_counter()
            fit = IRTFitter(n_dims=d).fit(y)
            r = {"matrix": list(y.shape), "dims": d, "seconds": time.perf_counter() - t0,
                 "iterations": fit.n_iter, "converged": fit.converged}
            timing.append(r)
            lines.append(table_row(f"{y.shape[0]} x {y.shape[1]}", d, f"{r['seconds']:.1f}", r["iterations"],
                                   r["converged"]))
    write_results(ROOT / "benchmarks" / "results" / "irt_fit_time", lines,
                  {"comparison": rows, "fits": timing, "girth_version": version("girth")})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
