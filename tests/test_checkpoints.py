import json
import math

import pytest

from tinytasks.estimators.checkpoint_trend import checkpoint_trend
from tinytasks.checkpoints import (
    Checkpoint, checkpoint_series, evaluate_series, expand_tasks, series_report, write_series,
)


def test_series_from_a_step_template_or_from_folders():
    s = checkpoint_series("pretrained=run/ckpt-{step},dtype=float32", steps=["200", "100"])
    assert s == [Checkpoint(100.0, "pretrained=run/ckpt-100,dtype=float32"),
                 Checkpoint(200.0, "pretrained=run/ckpt-200,dtype=float32")]
    s = checkpoint_series("dtype=float32", paths=["run/step_300", "run/step_30"])
    assert [c.step for c in s] == [30.0, 300.0] and s[0].model_args == "pretrained=run/step_30,dtype=float32"
    # a folder without a number (run/final): every folder's step is its position in the order given
    s = checkpoint_series("dtype=float32", paths=["run/step_30", "run/final"])
    assert [c.step for c in s] == [1.0, 2.0]
    assert [c.model_args for c in s] == ["pretrained=run/step_30,dtype=float32", "pretrained=run/final,dtype=float32"]
    with pytest.raises(ValueError, match="either"):
        checkpoint_series("x", steps=["1"], paths=["a"])
    with pytest.raises(ValueError, match="{step}"):
        checkpoint_series("pretrained=run", steps=["1"])
    with pytest.raises(ValueError, match="same step"):
        checkpoint_series("", paths=["a/ckpt-1", "b/ckpt-1"])


def test_group_expands_and_unknown_tasks_are_errors():
    assert len(expand_tasks(["tiny_leaderboard", "tiny_mmlu"])) == 6
    assert expand_tasks(["tiny_leaderboard_25"])[:3] == ["tiny_arc_25", "tiny_hellaswag_25", "tiny_mmlu_25"]
    with pytest.raises(ValueError, match="unknown tiny task"):
        expand_tasks(["tiny_nope"])


def test_trend_flags_curves_that_do_not_rise():
    assert checkpoint_trend([1, 2, 3, 4], [40, 42, 45, 47]).monotone
    falling = checkpoint_trend([1, 2, 3, 4], [47, 40, 45, 41])
    assert not falling.monotone and falling.spearman < 0.8
    assert math.isnan(checkpoint_trend([1, 2], [1, 2]).spearman)
    assert not checkpoint_trend([1, 2, 3], [5, 5, 5]).monotone
    with pytest.raises(ValueError):
        checkpoint_trend([1, 2, 3], [1, float("nan"), 2])


def test_table_json_and_plot_are_written(tmp_path):
    series = [Checkpoint(float(s), f"pretrained=c{s}") for s in (1, 2, 3)]
    results = {c.step: {"tiny_mmlu": {"est_score": 30 + c.step, "est_lower": 28 + c.step, "est_upper": 32 + c.step,
                                      "extrapolated": 0.0, "misfit": float(c.step == 3)}} for c in series}
    report = series_report(series, ["tiny_mmlu"], results)
    files = write_series(tmp_path, "hf", series, report)
    md = files[0].read_text()
    assert "33.0 [31.0, 35.0] (misfit)" in md and "| tiny_mmlu | 1.00 | yes" in md
    assert json.loads(files[1].read_text())["tasks"]["tiny_mmlu"]["trend"]["monotone"] is True
    assert files[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_real_model_checkpoint_series_is_evaluated_once_and_then_cached(tmp_path, monkeypatch, smollm2):
    from benchmarks.perturbed_checkpoints import write_perturbed_checkpoints

    base = smollm2
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    paths = write_perturbed_checkpoints(base, [1.0, 0.0], tmp_path / "run")
    series = checkpoint_series("dtype=float32", paths=[str(p) for p in paths])
    kwargs = {"batch_size": 4, "device": "cpu"}
    results, runs = evaluate_series("hf", series, ["tiny_winogrande"], tmp_path / "cache", 3, kwargs)
    assert runs == 2 and [c.step for c in series] == [100.0, 200.0]
    for step in (100.0, 200.0):
        r = results[step]["tiny_winogrande"]
        assert r["est_lower"] <= r["est_score"] <= r["est_upper"]
    again, runs = evaluate_series("hf", series, ["tiny_winogrande"], tmp_path / "cache", 3, kwargs)
    assert runs == 0 and again == results
    files = write_series(tmp_path / "out", "hf", series, series_report(series, ["tiny_winogrande"], results))
    assert all(f.stat().st_size > 0 for f in files)


def test_cached_answers_are_rescored_with_the_installed_files_and_rerun_only_for_other_items(monkeypatch, tmp_path):
    import lm_eval

    from tinytasks import checkpoints
    from tinytasks.scoring import anchor_keys, estimate_task

    ckpt = Checkpoint(1.0, "pretrained=run/ckpt-1")
    task = "tiny_winogrande_25"
    key = checkpoints.cache_key("hf", ckpt, task, {"limit": None})
    answers = {k: float(i % 2) for i, k in enumerate(anchor_keys(task))}
    (tmp_path / f"{key}.json").write_text(json.dumps({"task": task, "answers": answers}))
    monkeypatch.setattr(lm_eval, "simple_evaluate", lambda **kw: pytest.fail("a cached run was run again"))
    results, runs = evaluate_series("hf", [ckpt], [task], tmp_path, progress=lambda m: None)
    est = estimate_task(task, answers)
    assert runs == 0 and results[1.0][task] == checkpoints.estimate_metrics(est)
    assert results[1.0][task]["est_score"] == est.score
    # other items or prompts for the task: the cached answers do not answer them
    monkeypatch.setattr(checkpoints, "task_items_digest", lambda t: "other items")
    assert checkpoints.cache_key("hf", ckpt, task, {"limit": None}) != key
