"""The full-TruthfulQA reference task that benchmarks/full_reference.py checks
tiny_truthfulqa's estimates against."""

import sys

import numpy as np
import pytest

from tinytasks.registry import TASK_CONFIG_DIR

from conftest import ROOT

REFERENCE_DIR = ROOT / "benchmarks" / "reference_tasks"
sys.path.insert(0, str(ROOT / "benchmarks"))

from full_reference import N_ITEMS, REFERENCE, TINY, reference_score  # noqa: E402


@pytest.fixture(scope="module")
def tasks(shared_data):
    from lm_eval.tasks import TaskManager, get_task_dict

    mp = pytest.MonkeyPatch()
    mp.setenv("TINYTASKS_DATA_DIR", str(shared_data / "benchmarks"))
    tm = TaskManager(include_path=[str(TASK_CONFIG_DIR), str(REFERENCE_DIR)], include_defaults=False)
    yield get_task_dict([TINY, REFERENCE], tm)
    mp.undo()


def test_reference_task_asks_every_item_in_the_tiny_tasks_format(tasks):
    tiny, ref = (list(tasks[t].test_docs()) for t in (TINY, REFERENCE))
    assert len(ref) == N_ITEMS
    by_question = {d["question"]: d for d in ref}
    assert len(by_question) == N_ITEMS
    for doc in tiny:  # each anchor gets the very same prompt and choices in both tasks
        twin = by_question[doc["question"]]
        assert tasks[REFERENCE].doc_to_text(twin) == tasks[TINY].doc_to_text(doc)
        assert tasks[REFERENCE].doc_to_choice(twin) == tasks[TINY].doc_to_choice(doc)


def test_reference_scores_mc2_like_the_tiny_task(tasks):
    from tinytasks.lm_eval_tasks import process_truthfulqa_mc2

    doc = next(iter(tasks[REFERENCE].test_docs()))
    n_true = list(doc["mc2_targets"]["labels"]).count(1)
    n = len(doc["mc2_targets"]["labels"])
    results = [(-1.0, False)] * n_true + [(-3.0, False)] * (n - n_true)
    mc2 = tasks[REFERENCE].process_results(doc, results)["mc2"]
    expected = n_true * np.exp(-1) / (n_true * np.exp(-1) + (n - n_true) * np.exp(-3))
    assert mc2 == pytest.approx(expected)
    assert process_truthfulqa_mc2({**doc, "tiny_task": TINY, "key": "k"}, results)["tiny_acc"] == float(mc2 > 0.5)


def test_reference_score_is_exact_on_every_item_and_has_a_standard_error_on_a_sample():
    rng = np.random.default_rng(0)
    mc2 = rng.random(N_ITEMS)
    score, se = reference_score(mc2)
    assert score == pytest.approx(100 * mc2.mean()) and se == 0
    part = mc2[:100]
    score, se = reference_score(part)
    naive = 100 * part.std(ddof=1) / 10
    assert score == pytest.approx(100 * part.mean())
    assert se == pytest.approx(naive * np.sqrt((N_ITEMS - 100) / (N_ITEMS - 1)))
    with pytest.raises(ValueError, match="between 1 and 817"):
        reference_score(np.ones(N_ITEMS + 1))
