import numpy as np
import pytest

from tinytasks.estimators import TinyEstimator, load_estimator, write_param_file
from tinytasks.estimators.adaptive import AdaptiveSettings, AdaptiveTest, simulate_adaptive
from tinytasks.estimators.measurement import measurement_features

N_TRAIN = 2600


@pytest.fixture(scope="module")
def adaptive_fit(mmlu_data):
    """A 2-D estimator over the whole MMLU pool with adaptive maps, fitted on
    the first N_TRAIN models; the rest are held out."""
    y, s = mmlu_data.responses, mmlu_data.scores
    est = TinyEstimator(None, "stratified", 2).fit(y[:N_TRAIN], s[:N_TRAIN]).fit_adaptive(y[:N_TRAIN], s[:N_TRAIN])
    return est, y[N_TRAIN:][:, est.anchors_.items], s[N_TRAIN:]


def _mae(est, answers, truth):
    return float(np.mean(np.abs(est.predict_adaptive(answers).score - truth)))


@pytest.mark.slow
def test_adaptive_items_beat_random_items_on_held_out_real_models(adaptive_fit):
    est, y, truth = adaptive_fit
    chosen = simulate_adaptive(est, y, AdaptiveSettings(max_items=20))
    random = simulate_adaptive(est, y, AdaptiveSettings(max_items=20, rule="random"))
    assert (chosen.n_asked == 20).all()
    adaptive_mae, random_mae = _mae(est, chosen.responses(), truth), _mae(est, random.responses(), truth)
    assert adaptive_mae < 0.85 * random_mae
    res = est.predict_adaptive(chosen.responses())
    coverage = np.mean((truth >= res.lower) & (truth <= res.upper))
    assert 0.9 <= coverage <= 0.99


@pytest.mark.slow
def test_more_items_shrink_error_and_interval(adaptive_fit):
    est, y, truth = adaptive_fit
    run = simulate_adaptive(est, y, AdaptiveSettings(max_items=40))
    short, long = est.predict_adaptive(run.responses(first=10)), est.predict_adaptive(run.responses(first=40))
    assert np.mean(np.abs(long.score - truth)) < np.mean(np.abs(short.score - truth))
    assert np.median(long.upper - long.lower) < np.median(short.upper - short.lower)
    # the measurement error recorded after each answer falls as answers come in
    assert np.nanmean(run.se_trace[:, 39]) < np.nanmean(run.se_trace[:, 9]) < np.nanmean(run.se_trace[:, 0])


@pytest.mark.slow
def test_guard_widens_the_interval_of_a_model_among_the_strongest(adaptive_fit):
    """Every asked item right: among the strongest calibration models, where
    the interval also spans the extrapolation guard's and so is wider than
    the adaptive map's own; the estimate stays the map's."""
    est, y, _ = adaptive_fit
    answers = simulate_adaptive(est, np.ones((1, y.shape[1])), AdaptiveSettings(max_items=20)).responses()
    res = est.predict_adaptive(answers)
    feats, _ = measurement_features(est.calibration_, answers, est.adaptive_.slope_)
    by_map = est.adaptive_.maps_[est.adaptive_.lengths_.index(20)].predict(feats)
    score, lower, upper = (np.clip(v, 0, 100) for v in by_map)
    assert res.score[0] == pytest.approx(score[0])
    assert res.lower[0] <= lower[0] and res.upper[0] >= upper[0]
    assert res.upper[0] - res.lower[0] > upper[0] - lower[0] + 1.0


@pytest.mark.slow
def test_target_se_stops_early_and_is_met(adaptive_fit):
    est, y, _ = adaptive_fit
    target = 2.5
    run = simulate_adaptive(est, y[:200], AdaptiveSettings(max_items=60, target_se=target))
    res = est.predict_adaptive(run.responses())
    se = (res.upper - res.lower) / (2 * 1.959964)
    stopped = run.n_asked < 60
    assert stopped.any() and run.n_asked.mean() < 60
    assert np.all(se[stopped] <= target + 1e-9)


@pytest.mark.slow
def test_rounds_of_several_items_and_serialised_maps_give_the_same_answers(adaptive_fit, tmp_path):
    est, y, _ = adaptive_fit
    write_param_file(tmp_path / "p.json", est, {"task": "t"})
    loaded, _ = load_estimator(tmp_path / "p.json", adaptive=True)
    rows = y[:50]
    a = est.predict_adaptive(simulate_adaptive(est, rows, AdaptiveSettings(max_items=20)).responses())
    b = loaded.predict_adaptive(simulate_adaptive(loaded, rows, AdaptiveSettings(max_items=20)).responses())
    np.testing.assert_allclose(a.score, b.score, atol=1e-9)
    batched = simulate_adaptive(est, rows, AdaptiveSettings(max_items=20, batch_size=5))
    assert (batched.n_asked == 20).all()
    assert len(np.unique(batched.order, axis=None)) > 20  # items differ between models


def test_bad_use_is_refused(adaptive_fit):
    est, y, _ = adaptive_fit
    test = AdaptiveTest(est, 1, AdaptiveSettings(max_items=5))
    rows, items = test.next_items()
    assert rows.tolist() == [0] and items.size == 1
    with pytest.raises(ValueError, match="0 \\(wrong\\) or 1"):
        test.record(rows, items, [0.5])
    test.record(rows, items, [1.0])
    with pytest.raises(ValueError, match="answered twice"):
        test.record(rows, items, [1.0])
    with pytest.raises(ValueError, match="at least 5 answers"):
        est.predict_adaptive(test.responses())
    with pytest.raises(ValueError, match="unknown selection rule"):
        AdaptiveSettings(rule="best")
    with pytest.raises(ValueError, match="target_se"):
        AdaptiveSettings(target_se=0)
    plain = TinyEstimator(None, "stratified", 1).fit(y[:300], np.linspace(20, 80, 300))
    with pytest.raises(ValueError, match="adaptive score maps"):
        AdaptiveTest(plain, 1, AdaptiveSettings(target_se=1.0))
    with pytest.raises(RuntimeError, match="fit_adaptive"):
        plain.predict_adaptive(y[:1])


def test_every_whole_pool_task_adapts_and_a_task_without_maps_is_refused(monkeypatch):
    from tinytasks.adaptive_run import run_adaptive

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(ValueError, match="unknown tiny task 'tiny_nope'"):
        run_adaptive(None, ["tiny_nope"], AdaptiveSettings())
    from tinytasks import adaptive_run
    from tinytasks.registry import TASKS

    for task, (_, budget) in TASKS.items():
        assert (adaptive_run.load_task_params(task, adaptive=True)[0].adaptive_ is None) == (budget is not None), task
    with pytest.raises(ValueError, match="tiny_mmlu has no adaptive score maps.*run tiny_mmlu_pool"):
        run_adaptive(None, ["tiny_mmlu"], AdaptiveSettings())
    real = adaptive_run.load_task_params

    def without_maps(task, adaptive=False):
        est, meta, sha = real(task, adaptive)
        est.adaptive_ = None
        return est, meta, sha

    monkeypatch.setattr(adaptive_run, "load_task_params", without_maps)
    with pytest.raises(ValueError, match="tiny_hellaswag_pool has no adaptive score maps .* too few to adapt"):
        run_adaptive(None, ["tiny_hellaswag_pool"], AdaptiveSettings())


def test_the_parts_of_a_test_can_be_swapped(adaptive_fit):
    """A stopping rule, a selector and an ability update of one's own, each
    used in place of the settings' defaults."""
    from dataclasses import dataclass

    from tinytasks.estimators.adaptive import MapLaplace
    from tinytasks.estimators.adaptive_selection import SELECTORS

    est, y, _ = adaptive_fit
    rows = y[:6]

    @dataclass(frozen=True)
    class AfterThree:
        def stops(self, test, running):
            return running & (test.n_asked >= 3)

    @dataclass(frozen=True)
    class LastItemFirst:
        def criterion(self, bank, state, rng):
            return np.tile(np.arange(bank.n_items, dtype=float), (state.theta.shape[0], 1))

    calls = []

    @dataclass(frozen=True)
    class CountingUpdate:
        def measure(self, calibration, answers, slope, rows_):
            calls.append(rows_.size)
            return MapLaplace().measure(calibration, answers, slope, rows_)

    test = AdaptiveTest(est, rows.shape[0], AdaptiveSettings(max_items=30), available=~np.isnan(rows),
                        selector=LastItemFirst(), update=CountingUpdate(), stopping=(AfterThree(),))
    test.run(lambda r, i: rows[r, i])
    assert (test.n_asked == 3).all()
    n = est.calibration_.n_anchors
    asked_all = ~np.isnan(rows[:, n - 3:]).any(1)
    assert (test.order[asked_all, :3] == [n - 1, n - 2, n - 3]).all()  # the highest-scored items, in order
    assert calls[0] == rows.shape[0] and len(calls) == 1 + 3  # the start, then one update per round
    default = AdaptiveTest(est, 1, AdaptiveSettings(max_items=5))
    assert default.selector is SELECTORS["score_variance"] and isinstance(default.update, MapLaplace)
