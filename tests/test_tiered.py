import json

import numpy as np
import pytest

from tinytasks import tiered
from tinytasks.checkpoints import Checkpoint
from tinytasks.cli import main
from tinytasks.estimators.ranking import ErrorCorrelation
from tinytasks.tiered import TierPolicy, run_tiered

TIER_TASKS = ["tiny_arc_25,tiny_mmlu_25", "tiny_arc,tiny_mmlu", "tiny_arc_pool,tiny_mmlu_pool"]
HALF_WIDTH = {"_25": 6.0, "": 3.0, "_pool": 1.5}


def test_policy_sends_only_contenders_to_the_dearer_tiers():
    true = np.array([70.0, 69.0, 60.0, 50.0, 40.0, 30.0])
    score = [np.column_stack([true, true]) + d for d in (0.0, 0.0, 0.0)]
    se = [np.full((6, 2), s) for s in (3.0, 1.5, 0.2)]
    tasks = [np.array([["a", "b"]] * 6, dtype=object)] * 3
    tier_of = TierPolicy(top_k=1, threshold=0.05).run(score, se, tasks, {"a": ErrorCorrelation(0.3, 5.0)})
    assert tier_of.tolist() == [2, 2, 0, 0, 0, 0]
    # a clear winner at the middle tier goes no further
    score[1] = score[1] + np.array([[10.0, 10.0]] + [[0.0, 0.0]] * 5)
    assert TierPolicy().run(score, se, tasks, {}).tolist() == [1, 1, 0, 0, 0, 0]


def fake_lm_eval(true: dict[str, float], calls: list):
    """evaluate_series as if lm-eval had scored each model at its true score
    with the task's usual interval width."""

    def evaluate(model, series, tasks, cache, limit, kwargs, progress=print):
        calls.append((sorted(c.model_args for c in series), tasks))
        out = {}
        for c in series:
            res = {}
            for t in tasks:
                w = HALF_WIDTH[next(s for s in ("_25", "_pool", "") if t.endswith(s))]
                res[t] = {"est_score": true[c.model_args], "est_lower": true[c.model_args] - w,
                          "est_upper": true[c.model_args] + w, "extrapolated": 0.0, "misfit": 0.0}
            out[c.step] = res
        return out, 1

    return evaluate


def test_run_tiered_on_synthetic_results(monkeypatch, tmp_path):
    true = {f"pretrained=m{i}": s for i, s in enumerate([50.0, 71.0, 30.0, 70.0, 45.0, 20.0, 60.0, 69.5])}
    calls = []
    monkeypatch.setattr(tiered, "evaluate_series", fake_lm_eval(true, calls))
    series = [Checkpoint(float(i), m) for i, m in enumerate(true)]
    doc = run_tiered("hf", series, TIER_TASKS, TierPolicy(), tmp_path, None, {}, progress=lambda m: None)
    assert len(calls[0][0]) == 8
    assert set(calls[1][0]) <= {"pretrained=m1", "pretrained=m3", "pretrained=m7", "pretrained=m6"}
    assert set(calls[-1][0]) <= set(calls[1][0])
    assert doc["models"][0]["model"] == "pretrained=m1"
    assert doc["requests"] < doc["requests_all_on_last_tier"]
    tiers = {m["model"]: m["tier"] for m in doc["models"]}
    assert tiers["pretrained=m5"] == 1 and tiers["pretrained=m1"] >= 2
    text = tiered.format_tiered(doc)
    assert "every model on the last tier" in text and "| pretrained=m1 |" in text


def test_tiered_rejects_tiers_of_different_benchmarks(tmp_path):
    with pytest.raises(ValueError, match="same benchmarks"):
        run_tiered("hf", [Checkpoint(0.0, "a"), Checkpoint(1.0, "b")], ["tiny_arc_25", "tiny_mmlu"],
                   TierPolicy(), tmp_path, None, {})
    assert main(["tiered", "--models", "pretrained=a", "--steps", "1,2"]) == 2


@pytest.mark.slow
def test_tiered_end_to_end_on_the_packaged_models(tmp_path, monkeypatch, capsys):
    from tinytasks.packaged_models import ensure_hf_folder

    folders = []
    for name in ("smollm2-135m", "gemma3-270m"):
        try:
            folders.append(ensure_hf_folder(name))
        except FileNotFoundError as e:
            pytest.skip(str(e))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "tiered.json"
    argv = ["tiered", "--models", *(f"pretrained={f},dtype=float32" for f in folders),
            "--tiers", "tiny_winogrande_25", "tiny_winogrande", "tiny_winogrande_pool", "--limit", "3",
            "--device", "cpu", "--cache-dir", str(tmp_path / "cache"), "--json", str(out)]
    assert main(argv) == 0
    doc = json.loads(out.read_text())
    assert len(doc["models"]) == 2 and doc["models"][0]["tier"] >= 1 and doc["lm_eval_runs"] >= 2
    assert doc["requests"] == 3 * 2 * sum(m["tier"] for m in doc["models"])  # 3 items x 2 choices per tier run
    assert main(argv) == 0  # all from the cache now
    assert json.loads(out.read_text())["lm_eval_runs"] == 0
    assert "requests asked" in capsys.readouterr().out
