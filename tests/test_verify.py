"""`tinytasks verify` on results files laid out as lm-eval writes them; the
run on a real model is in test_end_to_end."""

import json

import pytest

from tinytasks.lm_eval_tasks import METRIC_ORDER
from tinytasks.scoring import anchor_keys, estimate_task, load_task_params
from tinytasks.verify import RECOMPUTED, installed_configs, verify_results

pytestmark = pytest.mark.lm_eval

TASK = "tiny_winogrande"
ADAPTIVE_TASK = "tiny_winogrande_pool"  # adaptive tests choose among the whole pool


def _installed_config(task):
    """lm-eval's dumped config of `task`, built offline; the
    offline settings stay for the module's tests."""
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    yield installed_configs([task])[task]
    mp.undo()


@pytest.fixture(scope="module")
def config():
    yield from _installed_config(TASK)


@pytest.fixture(scope="module")
def adaptive_config():
    yield from _installed_config(ADAPTIVE_TASK)


def write_run(folder, config, values, n_shot=0, edit=None):
    """A results file and its samples file for answers `values` to the first anchors."""
    keys = anchor_keys(TASK)[: len(values)]
    est = estimate_task(TASK, dict(zip(keys, values)))
    results = {f"{m},none": float(getattr(est, a)) for m, a in RECOMPUTED.items()}
    doc = {"results": {TASK: results}, "configs": {TASK: json.loads(json.dumps(config, default=str))},
           "n-shot": {TASK: n_shot}, "config": {"model_args": "pretrained=x"}, "lm_eval_version": "0.4.13"}
    if edit:
        edit(doc)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results_2026-01-01T00-00-00.json").write_text(json.dumps(doc))
    samples = [{"doc_id": i, **{m: [TASK, k, v] for m in METRIC_ORDER}} for i, (k, v) in enumerate(zip(keys, values))]
    (folder / f"samples_{TASK}_2026-01-01T00-00-00.jsonl").write_text("\n".join(map(json.dumps, samples)))
    return folder


def statuses(folder):
    return {c.name: c.status for c in verify_results(folder)[2]}


VALUES = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]


def test_a_faithful_run_verifies(config, tmp_path):
    assert config["metadata"]["params_sha256"] == load_task_params(TASK)[2]
    assert set(statuses(write_run(tmp_path, config, VALUES)).values()) == {"pass"}


def test_an_edited_estimate_fails(config, tmp_path):
    def edit(doc):
        doc["results"][TASK]["est_score,none"] += 0.5

    assert statuses(write_run(tmp_path, config, VALUES, edit=edit))["estimate from samples"] == "FAIL"


def test_other_parameters_prompt_or_few_shot_fail(config, tmp_path):
    def other_params(doc):
        doc["configs"][TASK]["metadata"]["params_sha256"] = "0" * 64

    def other_prompt(doc):
        doc["configs"][TASK]["target_delimiter"] = "\n"

    assert statuses(write_run(tmp_path / "a", config, VALUES, edit=other_params))["parameter file"] == "FAIL"
    assert statuses(write_run(tmp_path / "b", config, VALUES, edit=other_prompt))[
        "prompt and scoring config"] == "FAIL"
    assert statuses(write_run(tmp_path / "c", config, VALUES, n_shot=5))["few-shot"] == "FAIL"


def test_missing_samples_are_reported_not_guessed(config, tmp_path):
    folder = write_run(tmp_path / "a", config, VALUES)
    next(folder.glob("samples_*")).unlink()
    assert statuses(folder)["estimate from samples"] == "skipped"
    write_run(tmp_path / "b", config, VALUES)
    with pytest.raises(ValueError, match="2 lm-eval results files"):
        verify_results(tmp_path)


def test_a_group_is_verified_through_its_tasks_and_an_unrun_check_does_not_exit_0(config, tmp_path):
    from tinytasks.verify import exit_code

    def with_group(doc):
        doc["results"]["tiny_leaderboard"] = dict(doc["results"][TASK])

    checks = verify_results(write_run(tmp_path / "a", config, VALUES, edit=with_group))[2]
    group = [c for c in checks if c.task == "tiny_leaderboard"]
    assert [c.status for c in group] == ["FAIL"]  # five of its tasks are not in these results
    assert "tiny_mmlu" in group[0].detail and exit_code(checks) == 1

    folder = write_run(tmp_path / "b", config, VALUES)
    next(folder.glob("samples_*")).unlink()
    checks = verify_results(folder)[2]
    assert exit_code(checks) == 3
    assert exit_code([c for c in checks if c.status != "skipped"]) == 0


def test_adaptive_results_record_their_parameters_and_verify(adaptive_config, tmp_path):
    import numpy as np

    from tinytasks.adaptive_run import RESULT_METRICS
    from tinytasks.verify import exit_code

    task = ADAPTIVE_TASK
    est, meta, sha = load_task_params(task, adaptive=True)
    keys = anchor_keys(task)[:20]
    answers = [float(i % 3 != 0) for i in range(20)]
    row = np.full((1, len(meta["anchors"])), np.nan)
    row[0, :20] = answers
    res = est.predict_adaptive(row)
    values = {"est_score": res.score[0], "est_score_stderr": res.stderr[0], "est_lower": res.lower[0],
              "est_upper": res.upper[0], "tiny_acc": res.accuracy[0], "n_answered": res.n_answered[0],
              "extrapolated": res.extrapolated[0], "person_fit_lz": res.lz[0], "misfit": res.misfit[0]}
    doc = {"results": {task: {f"{m},none": float(values[m]) for m in RESULT_METRICS}},
           "adaptive": {"tasks": {task: {"items": keys, "answers": answers, "params_sha256": sha}}},
           "configs": {task: json.loads(json.dumps(adaptive_config, default=str))}, "n-shot": {task: 0}}
    path = tmp_path / "results_adaptive_x.json"
    path.write_text(json.dumps(doc))
    checks = verify_results(path)[2]
    assert {c.name: c.status for c in checks} == {"parameter file": "pass", "prompt and scoring config": "pass",
                                                  "few-shot": "pass", "estimate from answers": "pass"}
    assert exit_code(checks) == 0
    doc["results"][task]["est_score,none"] += 1
    path.write_text(json.dumps(doc))
    assert exit_code(verify_results(path)[2]) == 1


def test_a_run_made_with_other_parameters_is_rescored_and_then_verifies(config, tmp_path):
    """A stored run of older parameter files: rescore recomputes its estimate
    and its group's from the samples with the installed files, and the result
    verifies; the original is left as it was."""
    from tinytasks.commands import COMMANDS
    from tinytasks.rescore import rescore

    def older(doc):
        doc["configs"][TASK]["metadata"]["params_sha256"] = "0" * 64
        doc["results"][TASK]["est_score,none"] -= 3.0
        doc["results"]["tiny_leaderboard"] = {"est_score,none": 1.0, "est_lower,none": 0.0, "est_upper,none": 2.0,
                                              "extrapolated,none": 0.0, "misfit,none": 0.0,
                                              "est_score_stderr,none": 9.0}

    old = write_run(tmp_path / "old", config, VALUES, edit=older)
    assert statuses(old)["parameter file"] == "FAIL"
    new = rescore(old, tmp_path / "new")
    assert {c.status for c in verify_results(new)[2] if c.task == TASK} == {"pass"}
    doc = json.loads(new.read_text())
    est = estimate_task(TASK, dict(zip(anchor_keys(TASK), VALUES)))
    assert doc["results"][TASK]["est_score,none"] == pytest.approx(est.score)
    group = doc["results"]["tiny_leaderboard"]  # of its one task here: lm-eval's mean of what the run has
    assert group["est_upper,none"] == pytest.approx(est.upper) and group["est_score_stderr,none"] == pytest.approx(
        est.stderr)
    assert doc["tinytasks_rescored"]["from"].endswith("results_2026-01-01T00-00-00.json")
    assert json.loads((old / "results_2026-01-01T00-00-00.json").read_text())["results"][TASK][
        "est_score,none"] == pytest.approx(est.score - 3.0)
    with pytest.raises(ValueError, match="another folder"):
        rescore(old, old)
    assert "rescore" in COMMANDS
    from tinytasks.rescore import group_metrics

    assert group_metrics("tiny_leaderboard_25") == group_metrics("tiny_leaderboard") == [
        "est_score", "est_lower", "est_upper", "extrapolated", "misfit"]
