import json

import numpy as np
import pytest

from tinytasks.cli import main
from tinytasks.estimators.intervals import interval_stderr
from tinytasks.estimators.ranking import ErrorCorrelation, error_covariance, rank_models


def correlated_errors(score: np.ndarray, se: np.ndarray, corr: ErrorCorrelation, rng) -> np.ndarray:
    cov = corr.matrix(score) * np.outer(se, se)
    return np.linalg.cholesky(cov + 1e-9 * np.eye(score.size)) @ rng.standard_normal(score.size)


def test_error_correlation_fit_recovers_a_known_kernel():
    rng = np.random.default_rng(0)
    true = ErrorCorrelation(0.4, 6.0)
    score, lower, upper, truth, fold = [], [], [], [], []
    for g in range(40):  # 40 "folds" of 60 models, each sharing one estimator's errors
        s = rng.uniform(30, 80, 60)
        se = rng.uniform(1.0, 2.0, 60)
        e = correlated_errors(s, se, true, rng)
        score += [s]; lower += [s - 1.96 * se]; upper += [s + 1.96 * se]; truth += [s - e]; fold += [np.full(60, g)]
    fit, binned = ErrorCorrelation.fit(*(np.concatenate(v) for v in (score, lower, upper, truth, fold)))
    assert abs(fit.rho0 - 0.4) < 0.08 and 3 < fit.length < 12
    assert binned["bins"][0]["rho"] > binned["bins"][-1]["rho"]


def test_error_correlation_is_zero_for_independent_errors():
    rng = np.random.default_rng(1)
    s = rng.uniform(30, 80, 2000)
    fit, _ = ErrorCorrelation.fit(s, s - 2, s + 2, s - rng.standard_normal(2000) * 2 / 1.96, np.arange(2000) % 5)
    assert fit.rho0 < 0.03


def test_ranking_probabilities_are_consistent():
    score = np.array([60.0, 50.0, 49.5, 30.0])
    cov = np.diag([1.0, 1.0, 1.0, 1.0])
    r = rank_models(["a", "b", "c", "d"], score, cov, top_k=2)
    assert r.models == ["a", "b", "c", "d"]
    assert r.prob_best[0] > 0.999 and r.prob_top_k[0] > 0.999 and r.prob_top_k[3] < 0.001
    both = r.prob_ahead + r.prob_ahead.T
    assert np.isnan(np.diag(both)).all() and np.allclose(both[~np.eye(4, dtype=bool)], 1.0)
    assert r.rank_lower[1] == 2 and r.rank_upper[1] == 3 and r.rank_lower[3] == r.rank_upper[3] == 4
    assert abs(r.prob_best.sum() - 1) < 1e-9 and abs(r.prob_top_k.sum() - 2) < 1e-9


def test_correlated_errors_make_close_models_easier_to_order():
    score = np.array([[50.0], [49.0]])
    se = np.array([[1.0], [1.0]])
    tasks = np.array([["tiny_mmlu"], ["tiny_mmlu"]], dtype=object)
    indep = error_covariance(score, se, tasks, {})
    corr = error_covariance(score, se, tasks, {"tiny_mmlu": ErrorCorrelation(0.5, 10.0)})
    assert corr[0, 1] > 0 and indep[0, 1] == 0
    p_indep = rank_models(["a", "b"], score[:, 0], indep).prob_ahead[0, 1]
    p_corr = rank_models(["a", "b"], score[:, 0], corr).prob_ahead[0, 1]
    assert p_corr > p_indep > 0.5
    other = np.array([["tiny_mmlu"], ["tiny_mmlu_25"]], dtype=object)  # other anchors: independent
    assert error_covariance(score, se, other, {"tiny_mmlu": ErrorCorrelation(0.5, 10.0)})[0, 1] == 0


def write_results(folder, name, tasks: dict) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results_2026-12-01T00-00-00.json"
    res = {t: {"est_score,none": s, "est_lower,none": s - w, "est_upper,none": s + w} for t, (s, w) in tasks.items()}
    path.write_text(json.dumps({"results": res, "config": {"model_args": f"pretrained={name}"}}))
    return str(path)


def test_rank_command_orders_models_and_notes_what_it_left_out(tmp_path, capsys):
    a = write_results(tmp_path / "a", "org/a", {"tiny_arc": (60, 3), "tiny_mmlu": (55, 3), "tiny_gsm8k": (30, 4)})
    b = write_results(tmp_path / "b", "org/b", {"tiny_arc_25": (50, 6), "tiny_mmlu_25": (45, 6)})
    c = write_results(tmp_path / "c", "org/c", {"tiny_arc": (61, 3), "tiny_mmlu_pool": (54, 2)})
    out_json = tmp_path / "rank.json"
    assert main(["rank", a, b, c, "--top-k", "2", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| 1 ") or line.startswith("| 3 ")]
    assert "pretrained=org/a" in rows[0] or "pretrained=org/c" in rows[0]
    assert "pretrained=org/b" in rows[1]
    assert "not ranked on gsm8k" in out
    doc = json.loads(out_json.read_text())
    assert doc["benchmarks"] == ["arc", "mmlu"] and len(doc["prob_ahead"]) == 3
    assert doc["models"][2]["prob_top_k"] < 0.05


def test_rank_command_rejects_what_it_cannot_rank(tmp_path, capsys):
    a = write_results(tmp_path / "a", "org/a", {"tiny_arc": (60, 3)})
    a2 = write_results(tmp_path / "a2", "org/a", {"tiny_arc": (61, 3)})
    assert main(["rank", a]) == 2
    assert "at least two models" in capsys.readouterr().err
    assert main(["rank", a, a2]) == 2
    assert "tiny_arc in both" in capsys.readouterr().err
    b = write_results(tmp_path / "b", "org/b", {"tiny_mmlu": (60, 3)})
    assert main(["rank", a, b]) == 2
    assert "no benchmark has an estimate for every model" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{\"x\": 1}")
    assert main(["rank", a, str(bad)]) == 2
    assert "neither an lm-eval results file nor a checkpoints.json" in capsys.readouterr().err


def test_standard_errors_read_a_95_interval_as_normal():
    assert np.isclose(interval_stderr(50 - 1.959964, 50 + 1.959964), 1.0)


@pytest.mark.parametrize("n", [3, 40])
def test_rank_models_handles_ties_and_sizes(n):
    r = rank_models([f"m{i}" for i in range(n)], np.full(n, 50.0), np.eye(n))
    assert np.allclose(r.prob_best, 1 / n, atol=0.02)
