"""Do estimates depend on the CPU? And do fits?

1. Estimates. The calibration models of every shipped task (up to 400 per
   task, drawn at random), their answers complete and with a random share
   (up to half) of the anchors unanswered, estimated in child processes
   under every numeric-kernel setting this machine can run
   (benchmarks/kernel_settings.py): the largest difference from the first
   setting in score, lower and upper bound, and the flags that differ.
   Calibration models are the hard case: thresholds are learned from them, so
   their own answers sit exactly on some (see tinytasks.estimators.grid).
2. Ability estimates of partial runs: the posterior mode by the damped Newton
   steps tinytasks uses against plain Newton steps capped at 1: the share of partial answer patterns whose mode the
   plain steps miss by more than 1e-3.
3. Fits. The IRT fit of the shared MMLU matrix (3 dimensions) under the
   pinned kernels (AVX2, one thread) and under this machine's own: iterations
   and the largest difference in item parameters, also after the rotation
   that best aligns the two (Procrustes).

    python -m benchmarks.determinism              # about 20 minutes on 2 cores
    python -m benchmarks.determinism --markdown   # the tables again from the saved results

Writes benchmarks/results/determinism.{md,json}.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy.special import expit

from benchmarks.kernel_settings import child_env, cpu_flags, kernel_settings
from benchmarks.results_io import write_results
from maintainer.shared_data import load_source
from tinytasks.estimators.ability import estimate_ability
from tinytasks.pinned_numerics import PINNED_ENV
from tinytasks.registry import BENCHMARK_OF_TASK
from tinytasks.scoring import load_task_params

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "determinism"
N_MODELS = 400


def stress_rows(task: str, data) -> tuple[np.ndarray, np.ndarray]:
    """(complete, partial) anchor answers of up to N_MODELS calibration models."""
    est = load_task_params(task)[0]
    ya = data.responses[:, est.anchors_.items]
    rng = np.random.default_rng(1)
    rows = ya[rng.choice(ya.shape[0], size=min(N_MODELS, ya.shape[0]), replace=False)]
    partial = rows.copy()
    partial[rng.random(rows.shape) < rng.uniform(0, 0.5, size=(rows.shape[0], 1))] = np.nan
    partial[np.isnan(partial).all(1), 0] = 1.0
    return rows[~np.isnan(rows).all(1)], partial


def estimate_all(path: str) -> None:
    """Child process: every task's stress rows estimated, as JSON into `path`."""
    data, out = {}, {}
    for task in sorted(BENCHMARK_OF_TASK):
        bench = BENCHMARK_OF_TASK[task]
        data.setdefault(bench, load_source(bench))
        est = load_task_params(task)[0]
        out[task] = []
        for rows in stress_rows(task, data[bench]):
            r = est.predict(rows)
            out[task].append(np.column_stack([r.score, r.lower, r.upper, r.extrapolated, r.misfit]).tolist())
    Path(path).write_text(json.dumps(out))


def estimates_across_kernels() -> dict:
    runs = {}
    for name, changes in kernel_settings().items():
        tmp = OUT.with_suffix(".tmp.json")
        subprocess.run([sys.executable, "-m", "benchmarks.determinism", "--child", str(tmp)],
                       env=child_env(changes), check=True, cwd=ROOT)
        runs[name] = json.loads(tmp.read_text())
        tmp.unlink()
        print(f"estimated under: {name}", flush=True)
    first = next(iter(runs.values()))
    rows = []
    for name, run in runs.items():
        worst, flags, n = 0.0, 0, 0
        for task in first:
            for a, b in zip(first[task], run[task]):
                a, b = np.array(a), np.array(b)
                worst = max(worst, float(np.abs(a[:, :3] - b[:, :3]).max()))
                flags += int((a[:, 3:] != b[:, 3:]).any(1).sum())
                n += len(a)
        rows.append({"setting": name, "max_abs_difference": worst, "flags_differing": flags, "estimates": n})
    return {"settings": rows}


def plain_newton_mode(y: np.ndarray, bank, prior, n_iter: int = 50) -> np.ndarray:
    """The posterior mode by plain Newton steps capped at 1, stopped when
    every step is below 1e-6 (for comparison only)."""
    mask = ~np.isnan(y)
    y0 = np.where(mask, y, 0.0)
    a, b = bank.slopes, bank.intercepts
    prec = np.linalg.inv(prior.cov)
    theta = np.tile(prior.mean, (y.shape[0], 1))
    for _ in range(n_iter):
        p = expit(theta @ a.T + b)
        grad = (mask * (y0 - p)) @ a - (theta - prior.mean) @ prec
        hess = np.einsum("nj,jd,je->nde", mask * p * (1 - p), a, a) + prec + 1e-8 * np.eye(a.shape[1])
        step = np.clip(np.linalg.solve(hess, grad[:, :, None])[:, :, 0], -1.0, 1.0)
        theta = np.clip(theta + step, -6.0, 6.0)
        if np.abs(step).max() < 1e-6:
            break
    return theta


def map_convergence() -> list[dict]:
    data, rows = {}, []
    for task in sorted(BENCHMARK_OF_TASK):
        bench = BENCHMARK_OF_TASK[task]
        d = data.setdefault(bench, load_source(bench))
        est = load_task_params(task)[0]
        cal = est.calibration_
        ya = d.responses[:, est.anchors_.items].copy()
        rng = np.random.default_rng(0)
        ya[rng.random(ya.shape) < rng.uniform(0, 0.9, (ya.shape[0], 1))] = np.nan
        ya = ya[~np.isnan(ya).all(1)]
        damped = estimate_ability(ya, cal.anchor_bank, "map", cal.prior).theta
        plain = plain_newton_mode(ya, cal.anchor_bank, cal.prior)
        off = np.abs(damped - plain).max(1)
        rows.append({"task": task, "patterns": int(len(ya)), "plain_off_by_1e-3": float(np.mean(off > 1e-3)),
                     "plain_max_off": float(off.max())})
    return rows


def irt_fit_child(path: str) -> None:
    from tinytasks.estimators import IRTFitter

    d = load_source("mmlu")
    f = IRTFitter(n_dims=3, seed=0).fit(d.responses)
    np.savez(path, slopes=f.bank.slopes, intercepts=f.bank.intercepts, n_iter=f.n_iter)


def irt_across_kernels() -> dict:
    fits = {}
    for name, changes in (("pinned (AVX2, one thread)", PINNED_ENV), ("this machine's own", {})):
        tmp = OUT.with_suffix(".irt.npz")
        subprocess.run([sys.executable, "-m", "benchmarks.determinism", "--irt-child", str(tmp)],
                       env=child_env(changes), check=True, cwd=ROOT)
        with np.load(tmp) as z:
            fits[name] = {k: z[k] for k in z.files}
        tmp.unlink()
    (a, b) = fits.values()
    u, _, vt = np.linalg.svd(a["slopes"].T @ b["slopes"])
    return {"iterations": [int(f["n_iter"]) for f in fits.values()], "settings": list(fits),
            "max_slope_difference": float(np.abs(a["slopes"] - b["slopes"]).max()),
            "max_slope_difference_after_rotation": float(np.abs(a["slopes"] @ (u @ vt) - b["slopes"]).max()),
            "max_intercept_difference": float(np.abs(a["intercepts"] - b["intercepts"]).max())}


def machine() -> str:
    """The CPU's model name and its widest vector extension, as /proc/cpuinfo gives them."""
    flags = cpu_flags()
    try:
        name = next(ln.partition(":")[2].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                    if ln.startswith("model name"))
    except (OSError, StopIteration):
        name = platform.processor() or platform.machine()
    widest = next((f for f in ("avx512f", "avx2", "avx") if f in flags), "no AVX")
    return f"{name}, {widest}"


def markdown(res: dict) -> str:
    lines = ["# Do estimates depend on the CPU?", "",
             f"Generated by `python -m benchmarks.determinism`. Estimates of up to {N_MODELS} calibration models "
             "per shipped task, complete and with up to half their anchors unanswered, under each kernel setting "
             "this machine can run, against the first:", "",
             "| setting | estimates | largest difference (points) | flags differing |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['setting']} | {r['estimates']} | {r['max_abs_difference']:.1e} | {r['flags_differing']} |"
              for r in res["estimates"]["settings"]]
    lines += ["", "Posterior mode of partial answer patterns (calibration models, up to 90% of the anchors "
              "unanswered): plain Newton steps capped at 1 against the damped steps tinytasks takes:", "",
              "| task | patterns | plain steps off by more than 1e-3 | largest miss |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['task']} | {r['patterns']} | {r['plain_off_by_1e-3']:.1%} | {r['plain_max_off']:.2f} |"
              for r in res["map_convergence"]]
    irt = res["irt_fit"]
    same = max(irt["max_slope_difference"], irt["max_intercept_difference"]) == 0
    lines += ["", f"IRT fit of the shared MMLU matrix (3 dimensions): {irt['settings'][0]}: {irt['iterations'][0]} "
              f"iterations; {irt['settings'][1]}: {irt['iterations'][1]}. Largest difference in an item slope "
              f"{irt['max_slope_difference']:.1e} ({irt['max_slope_difference_after_rotation']:.1e} after the best "
              f"rotation), in an intercept {irt['max_intercept_difference']:.1e}: "
              + ("the same fit on this machine." if same else
                 "the fits differ with the kernels, and anchor choice and trees are discrete, so the shipped files "
                 "are fitted under pinned kernels."), ""]
    if "machine" in res:
        lines += [f"Machine: {res['machine']}.", ""]
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        return estimate_all(sys.argv[2])
    if sys.argv[1:2] == ["--irt-child"]:
        return irt_fit_child(sys.argv[2])
    if sys.argv[1:2] == ["--markdown"]:  # the tables again from the saved results
        res = json.loads(OUT.with_suffix(".json").read_text())
        return write_results(OUT, markdown(res).splitlines(), res)
    res = {"machine": machine(), "estimates": estimates_across_kernels(), "map_convergence": map_convergence(),
           "irt_fit": irt_across_kernels()}
    write_results(OUT, markdown(res).splitlines(), res)


if __name__ == "__main__":
    main()
