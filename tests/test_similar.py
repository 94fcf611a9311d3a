import json

import numpy as np
import pytest

from tinytasks.anchor_answers import ANSWERS_PATH, load_reference_answers
from tinytasks.cli import main
from tinytasks.estimators.similarity import AnswerSet, agreement, pack_answers, unpack_answers
from tinytasks.registry import BENCHMARKS, task_name
from tinytasks.scoring import task_anchors


def test_pack_and_unpack_are_inverse():
    rng = np.random.default_rng(0)
    y = (rng.random((7, 13)) < 0.6).astype(float)
    y[rng.random(y.shape) < 0.2] = np.nan
    back = unpack_answers(*pack_answers(y), 13)
    assert np.array_equal(np.isnan(back), np.isnan(y)) and np.array_equal(back[~np.isnan(y)], y[~np.isnan(y)])


def test_excess_agreement_is_one_for_copies_and_near_zero_for_independent_models():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.2, 0.9, (3, 400))  # three models' P(correct) on 400 items
    y = (rng.random(p.shape) < p).astype(float)
    y[1] = y[0]  # model 1 copies model 0's answers
    a = agreement([AnswerSet(y, p)], [AnswerSet(y, p)])
    assert a.excess[0, 1] == pytest.approx(1.0) and a.duplicate[0, 1]
    assert abs(a.excess[0, 2]) < 0.15 and not a.duplicate[0, 2]
    assert a.n_items[0, 2] == 400 and a.comparable[0, 2]


def test_models_that_agree_only_as_predicted_are_not_comparable():
    p = np.full((2, 300), 0.01)  # two models at chance on a generation benchmark: both wrong everywhere
    y = np.zeros((2, 300))
    a = agreement([AnswerSet(y, p)], [AnswerSet(y, p)])
    assert not a.comparable[0, 1] and not a.duplicate[0, 1]


def write_run(folder, name, keyed: dict[str, float], estimates: dict[str, float]):
    folder.mkdir(parents=True, exist_ok=True)
    stamp = "2026-12-01T00-00-00"
    res = {t: {"est_score,none": s, "est_lower,none": s - 3, "est_upper,none": s + 3} for t, s in estimates.items()}
    (folder / f"results_{stamp}.json").write_text(json.dumps({"results": res, "config": {"model_args": name}}))
    by_task: dict[str, list] = {}
    for key, v in keyed.items():  # as lm-eval logs a tiny task's sample
        task = task_name(key.split(":")[0])
        by_task.setdefault(task, []).append({"doc": {"key": key, "tiny_task": task}, "tiny_acc": v,
                                             "est_score": [task, key, v]})
    for task, samples in by_task.items():
        (folder / f"samples_{task}_{stamp}.jsonl").write_text("\n".join(json.dumps(s) for s in samples))
    return str(folder)


def calibration_model_run(tmp_path, ref, model: str, folder: str, flip: float = 0.0, seed: int = 0):
    """A results folder with `model`'s shipped answers to the tiny_leaderboard
    anchors (a share `flip` of them flipped)."""
    rng = np.random.default_rng(seed)
    row = ref.models.index(model)
    keyed = {}
    for b in BENCHMARKS:
        block = ref.benchmarks[b]
        col = block.column_of
        for a in task_anchors(task_name(b)):
            v = block.answers.answers[row, col[a["key"]]]
            if not np.isnan(v):
                keyed[a["key"]] = float(1 - v if rng.random() < flip else v)
    return write_run(tmp_path / folder, f"pretrained={folder}", keyed, {task_name(b): 50.0 for b in BENCHMARKS})


@pytest.fixture(scope="module")
def reference():
    return load_reference_answers()


def test_similar_finds_a_resubmitted_calibration_model(tmp_path, capsys, reference):
    scores = np.column_stack([reference.benchmarks[b].scores for b in BENCHMARKS])
    model = reference.models[int(np.argmax(np.where(np.isnan(scores).any(1), -1, scores.mean(1))))]
    path = calibration_model_run(tmp_path, reference, model, "resubmission")
    assert main(["similar", path, "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "possible duplicate of " in out and model in out.split("possible duplicate of ")[-1].splitlines()[0]
    assert f"| {model} **possible duplicate** | 1.000 |" in out
    assert "nearest-neighbour estimate" in out and "| arc |" in out


def test_dendrogram_of_three_runs(tmp_path, capsys, reference):
    scores = np.column_stack([reference.benchmarks[b].scores for b in BENCHMARKS])
    complete = [m for m, s in zip(reference.models, scores) if not np.isnan(s).any()]
    models = [m for m in complete if m.lower().startswith("mistralai/")][:2] + complete[:1]
    paths = [calibration_model_run(tmp_path, reference, m, f"m{i}", flip=0.1, seed=i) for i, m in enumerate(models)]
    png = tmp_path / "tree.png"
    assert main(["similar", *paths, "--top", "1", "--dendrogram", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["similar", paths[0], "--dendrogram", str(tmp_path / "one.png")]) == 2
    assert "at least three" in capsys.readouterr().err


def test_similar_says_when_a_run_has_no_shipped_anchor(tmp_path, capsys):
    path = write_run(tmp_path / "x", "pretrained=x", {"arc:0000000000000000": 1.0}, {"tiny_arc": 50.0})
    assert main(["similar", path]) == 2
    assert "none of its 1 answers is to a shipped anchor" in capsys.readouterr().err


@pytest.mark.slow
def test_packed_answers_are_what_pack_answers_writes(shared_data, tmp_path):
    from maintainer.pack_answers import pack_shared_answers

    pack_shared_answers(tmp_path / "answers.json", shared_data, progress=lambda m: None)
    for suffix in (".json", ".npz"):
        assert (tmp_path / "answers").with_suffix(suffix).read_bytes() == ANSWERS_PATH.with_suffix(suffix).read_bytes()


def test_the_shipped_answers_hold_only_metabenchs(shared_data):
    """ATLAS states no licence: an anchor only its matrices answer is unanswered for every shipped model."""
    import pandas as pd

    from tinytasks.anchor_answers import load_reference_answers
    from tinytasks.benchmark_specs import SPECS
    from tinytasks.registry import task_name
    from tinytasks.scoring import load_task_params

    ref = load_reference_answers()
    for bench, block in ref.benchmarks.items():
        item_of = {a["key"]: a["item"] for a in load_task_params(task_name(bench, None))[1]["anchors"]}
        metabench = set().union(*(pd.read_csv(shared_data / r, nrows=0).columns[1:].astype(str)
                                  for r in SPECS[bench].calibration.responses))
        for j, key in enumerate(block.keys):
            if item_of[key] not in metabench:
                assert np.isnan(block.answers.answers[:, j]).all(), (bench, key)
        assert all(lic.startswith("CC BY-NC-SA 4.0 (metabench") for lic in ref.licence.values())
