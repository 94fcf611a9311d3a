"""Chance-aware estimates: the chance levels, and what they change."""

import copy
import json

import numpy as np
import pytest

from tinytasks.estimators.chance import ChanceLevel, shrunk_accuracy, wilson_interval
from tinytasks.benchmark_specs import BENCHMARKS, SPECS
from tinytasks.documents import load_local_docs
from tinytasks.scoring import anchor_keys, estimate_task, load_task_params

from conftest import ROOT


@pytest.mark.parametrize("bench", BENCHMARKS)
def test_shipped_chance_levels_and_sizes_are_the_benchmark_files(shared_data, bench):
    docs = load_local_docs(bench, shared_data / "benchmarks")
    assert len(docs) == SPECS[bench].full_items
    got = SPECS[bench].chance_on(docs)
    assert got.accuracy == pytest.approx(SPECS[bench].chance.accuracy, abs=1e-4)
    assert got.score == pytest.approx(SPECS[bench].chance.score, abs=1e-2)


def test_a_chance_level_outside_its_range_is_refused():
    with pytest.raises(ValueError, match="chance level"):
        ChanceLevel(25, 25)


def test_wilson_interval_and_shrinkage():
    lo, hi = wilson_interval(np.array([0.0, 0.5]), np.array([6, 100]), 0.95)
    assert lo[0] == 0 and 0.35 < hi[0] < 0.45 and lo[1] < 0.5 < hi[1]
    chance = ChanceLevel(0.25, 25)
    # one noise SD below chance on 100 items: barely moved off chance; far below on many items: kept
    s = shrunk_accuracy(np.array([0.21, 0.05, 0.4]), np.array([100, 1000, 10]), chance)
    assert s[0] > 0.245 and s[1] == pytest.approx(0.05, abs=0.001) and s[2] == 0.4


def test_nothing_right_on_tiny_hellaswag_reads_as_the_weakest_calibration_models():
    """HellaSwag's items draw models near chance to a wrong ending: the
    calibration models scoring 25-35 answer about 5% of them, some none."""
    est = estimate_task("tiny_hellaswag", {k: 0.0 for k in anchor_keys("tiny_hellaswag")})
    assert not est.extrapolated  # calibration models answered as badly
    assert 25 <= est.score < 40 and est.lower == 0.0


def test_below_chance_mmlu_answers_widen_the_interval_below_chance_only():
    ref = json.loads((ROOT / "benchmarks" / "results" / "full_reference" / "mmlu_smollm2-135m.json").read_text())
    est, _, _ = load_task_params("tiny_mmlu_pool")
    assert est.chance == ChanceLevel(0.25, 25.0)  # the file's own chance level
    est = copy.copy(est)
    est.chance = None  # the same file's estimates without one
    row = np.array([[ref["anchor_answers"][k] for k in anchor_keys("tiny_mmlu_pool")]])
    plain = est.predict(row)
    aware = estimate_task("tiny_mmlu_pool", ref["anchor_answers"])
    assert aware.score == pytest.approx(plain.score[0]) and aware.upper == pytest.approx(plain.upper[0])
    assert aware.lower < plain.lower[0] - 3
    # a model at half the anchors right (above chance, inside the calibration range) is untouched
    half = (np.arange(row.shape[1]) % 2).astype(float)
    plain = est.predict(half[None, :])
    aware = estimate_task("tiny_mmlu_pool", dict(zip(anchor_keys("tiny_mmlu_pool"), half)))
    assert (aware.score, aware.lower, aware.upper) == pytest.approx((plain.score[0], plain.lower[0], plain.upper[0]))
