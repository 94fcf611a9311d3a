"""tinytasks' IRT fit against girth's and py-irt's, on the same real matrices.

tinytasks fits a 2PL / M2PL by joint MAP (abilities and item parameters
together, L-BFGS, tinytasks.estimators.IRTFitter). girth (Ryan Sanchez's
pure-Python IRT library) fits them by marginal maximum likelihood (EM over a
quadrature grid): `twopl_mml` in 1-D, `multidimensional_twopl_mml` in 2-D.
py-irt (Lalor and Rodriguez, on Pyro) fits a 1-D 2PL by stochastic
variational inference; it runs with its hierarchical priors (its "vague"
ones hold every difficulty within N(0, 0.1) and every slope within
LogNormal(0, 0.1)) and its default 2,000 epochs. On each matrix, models are
split 80/20 at random; each fit sees the 80%, and is scored by

- wall time on this machine (one fit each, nothing else running);
- held-out log-likelihood per answer: each held-out model's answers
  integrated over ability (Gauss-Hermite grid) under the ability
  distribution the fit assumes (tinytasks and py-irt, which both fit
  abilities with the items: the Gaussian of their fitted abilities; girth:
  standard normal);
- in 1-D, the agreement of each library's item parameters with tinytasks',
  all written as the logit a * theta + c (a(theta - b) has c = -a b):
  Pearson r of the intercepts c and of the slopes a. (Difficulties -c/a are
  not compared: items with a slope near 0 put them anywhere.)

Also the fit time of tinytasks alone for 1-3 dimensions, the sizes it
ships. mirt (R) is not compared: it is not among this machine's package
sources (Debian has R but no r-cran-mirt, and CRAN is not reachable).
girth's 2-D fit is slow (see COMPARISONS), and its default start calls a
SciPy function removed in SciPy 1.15; it runs without it.

    pip install girth
    pip install --no-deps py-irt pyro-ppl pyro-api opt_einsum ordered-set toml  # its pins (pandas<3, typer<0.15) are for its CLI
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
from maintainer.shared_data import load_source, shared_data_dir

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


def py_irts(train: np.ndarray, d: int) -> dict:
    import pandas as pd
    import pyro
    from py_irt.config import IrtConfig
    from py_irt.dataset import Dataset
    from py_irt.training import IrtModelTrainer

    if d != 1:
        raise ValueError("py-irt is compared in 1-D only")
    pyro.set_rng_seed(0)
    cols = [f"i{j}" for j in range(train.shape[1])]
    df = pd.DataFrame(train.astype(int), columns=cols).assign(subject=[f"m{i}" for i in range(train.shape[0])])
    t0 = time.perf_counter()
    data = Dataset.from_pandas(df, subject_column="subject", item_columns=cols)
    trainer = IrtModelTrainer(data_path=None, dataset=data, verbose=False,
                              config=IrtConfig(model_type="2pl", priors="hierarchical", seed=0))
    trainer.train(device="cpu")
    seconds = time.perf_counter() - t0
    p = trainer.last_params
    order = [p["item_ids"][j] for j in range(len(cols))]  # its item index -> our column
    a = np.empty(len(cols))
    b = np.empty(len(cols))
    a[[cols.index(c) for c in order]] = p["disc"]
    b[[cols.index(c) for c in order]] = p["diff"]
    prior = AbilityPrior.from_abilities(np.asarray(p["ability"], float)[:, None])
    return {"seconds": seconds, "slopes": a[:, None], "intercepts": -a * b, "mean": prior.mean, "cov": prior.cov}


LIBRARIES = {"tinytasks": ours, "girth": girths, "py-irt": py_irts}


def main() -> int:
    try:
        import girth  # noqa: F401
        import py_irt  # noqa: F401
    except ImportError as e:
        raise SystemExit(f"this comparison needs girth and py-irt ({e}); see the module docstring for the installs")
    root = shared_data_dir()
    rng = np.random.default_rng(0)
    lines = ["# IRT fit: tinytasks against girth and py-irt (held-out models)", "",
             "80/20 split of models; held-out log-likelihood per answer (higher is better); 1-D item "
             "parameters (logit a theta + c) compared as Pearson r with tinytasks' fit. py-irt: 1-D only, "
             "hierarchical priors, 2,000 epochs of SVI.", "",
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
            fits = {name: fit(train, d) for name, fit in LIBRARIES.items() if d == 1 or name != "py-irt"}
            for name, f in fits.items():
                row = {"matrix": label, "dims": d, "library": name, "seconds": f["seconds"],
                       "held_out_loglik": held_out_loglik(held, f["slopes"], f["intercepts"], f["mean"], f["cov"])}
                compared = d == 1 and name != "tinytasks"
                if compared:
                    row["r_intercept"] = float(np.corrcoef(fits["tinytasks"]["intercepts"], f["intercepts"])[0, 1])
                    row["r_slope"] = float(np.corrcoef(fits["tinytasks"]["slopes"][:, 0], f["slopes"][:, 0])[0, 1])
                rows.append(row)
                lines.append(table_row(label, d, name, f"{row['seconds']:.1f}", f"{row['held_out_loglik']:.4f}",
                                       f"{row['r_intercept']:.3f}" if compared else "-",
                                       f"{row['r_slope']:.3f}" if compared else "-"))
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
                  {"comparison": rows, "fits": timing, "girth_version": version("girth"),
                   "py_irt_version": version("py-irt")})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
