import json

import numpy as np
import pytest

from tinytasks.estimators import JointCorrection, ParamFileError, load_joint, write_joint_file

TASKS = ["a", "b", "c", "d"]
NOISE_SD = np.array([1.0, 1.0, 1.0, 4.0])  # task d is estimated from a few items only


def _simulate(n: int, seed: int):
    """Four correlated real scores (one latent strength plus task-specific
    parts) and estimates of them with known error SDs and exact 95% bounds."""
    rng = np.random.default_rng(seed)
    strength = rng.normal(0, 1, n)
    truth = 50 + 10 * strength[:, None] + rng.normal(0, 2, (n, 4))
    score = truth + rng.normal(0, 1, (n, 4)) * NOISE_SD
    half = 1.96 * NOISE_SD * np.ones((n, 1))
    return score, score - half, score + half, truth


def test_joint_correction_borrows_strength_from_the_other_tasks():
    score, lower, upper, truth = _simulate(3000, seed=0)
    joint = JointCorrection.fit(TASKS, score, lower, upper, truth)
    s2, lo2, hi2, t2 = _simulate(2000, seed=1)
    js, jlo, jhi = joint.apply(s2, lo2, hi2)
    own_mae, joint_mae = np.abs(s2 - t2).mean(0), np.abs(js - t2).mean(0)
    # The noisy task's error falls by far (the other three pin its strength
    # part); the precise ones do not get worse beyond noise.
    assert joint_mae[3] < 0.75 * own_mae[3], (own_mae, joint_mae)
    assert (joint_mae[:3] < own_mae[:3] * 1.05).all(), (own_mae, joint_mae)
    cover = ((jlo <= t2) & (t2 <= jhi)).mean(0)
    assert ((cover > 0.92) & (cover < 0.98)).all(), cover
    assert (jhi - jlo)[:, 3].mean() < (hi2 - lo2)[:, 3].mean()


def test_an_asymmetric_interval_keeps_its_shape_in_the_joint_estimate():
    """Truths that fall above the estimates more often than below: intervals
    reaching further up; the joint interval rescales both sides by one factor."""
    score, lower, upper, truth = _simulate(3000, seed=3)
    reach_up = 2 * (upper - score)
    joint = JointCorrection.fit(TASKS, score, lower, score + reach_up, truth)
    js, jlo, jhi = joint.apply(score, lower, score + reach_up)
    done = np.asarray(joint.corrected)
    f = np.asarray(joint.width_factors)[done]
    np.testing.assert_allclose((js - jlo)[:, done], f * (score - lower)[:, done])
    np.testing.assert_allclose((jhi - js)[:, done], f * reach_up[:, done])


def test_extrapolated_estimates_keep_their_own_values():
    score, lower, upper, truth = _simulate(500, seed=2)
    joint = JointCorrection.fit(TASKS, score, lower, upper, truth)
    flags = np.zeros((3, 4), bool)
    flags[1, 3] = True
    js, jlo, jhi = joint.apply(score[:3], lower[:3], upper[:3], flags)
    assert joint.corrected[3]
    assert (js[1, 3], jlo[1, 3], jhi[1, 3]) == (score[1, 3], lower[1, 3], upper[1, 3])
    assert js[0, 3] != score[0, 3]


def test_a_task_the_others_say_nothing_about_keeps_its_own_estimate():
    score, lower, upper, truth = _simulate(1500, seed=5)
    rng = np.random.default_rng(6)
    # unrelated to the other tasks, and its error unrelated to its estimate: nothing to correct
    alone_est = 50 + 10 * rng.normal(0, 1, (1500, 1))
    alone = alone_est + rng.normal(0, 1, alone_est.shape)
    stack = lambda a, b: np.hstack([a, b])  # noqa: E731
    own = (stack(score, alone_est), stack(lower, alone_est - 1.96), stack(upper, alone_est + 1.96))
    joint = JointCorrection.fit(TASKS + ["e"], *own, stack(truth, alone))
    assert joint.corrected[3] and not joint.corrected[4]
    for joint_value, own_value in zip(joint.apply(*own), own):
        np.testing.assert_array_equal(joint_value[:, 4], own_value[:, 4])


def test_bad_input_is_a_clear_error():
    score, lower, upper, truth = _simulate(500, seed=3)
    joint = JointCorrection.fit(TASKS, score, lower, upper, truth)
    with pytest.raises(ValueError, match="all 4 tasks"):
        joint.apply(score[:, :3], lower[:, :3], upper[:, :3])
    bad = score.copy()
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match="finite"):
        joint.apply(bad, lower, upper)
    with pytest.raises(ValueError, match="at least 50 models"):
        JointCorrection.fit(TASKS, score[:20], lower[:20], upper[:20], truth[:20])
    with pytest.raises(ValueError, match="upper bound"):
        joint.apply(score, upper, lower)


def test_joint_file_round_trip_and_checks(tmp_path):
    score, lower, upper, truth = _simulate(400, seed=4)
    joint = JointCorrection.fit(TASKS, score, lower, upper, truth)
    path = tmp_path / "joint.json"
    write_joint_file(path, joint, {"note": "test"}, {})
    first = path.read_bytes()
    loaded, meta = load_joint(path)
    assert meta == {"note": "test"}
    for a, b in zip(joint.apply(score, lower, upper), loaded.apply(score, lower, upper)):
        np.testing.assert_array_equal(a, b)
    write_joint_file(path, JointCorrection.fit(TASKS, score, lower, upper, truth), {"note": "test"}, {})
    assert path.read_bytes() == first  # deterministic
    doc = json.loads(first)
    doc["joint"]["width_factors"] = [1.0] * 4
    path.write_text(json.dumps(doc))
    with pytest.raises(ParamFileError, match="checksum mismatch"):
        load_joint(path)
    doc["format_version"] = 0
    path.write_text(json.dumps(doc))
    with pytest.raises(ParamFileError, match="version 0"):
        load_joint(path)


@pytest.mark.parametrize("group", ["tiny_leaderboard_25", "tiny_leaderboard", "tiny_leaderboard_pool"])
def test_every_lineup_ships_a_joint_file_with_each_tasks_error_correlation(group):
    from tinytasks.estimators.joint_file import load_error_correlation
    from tinytasks.registry import joint_params_path
    from tinytasks.registry import GROUPS

    path = joint_params_path(group)
    joint, meta = load_joint(path)
    assert list(joint.tasks) == GROUPS[group] and meta["group"] == group
    corr = load_error_correlation(path)
    assert set(corr) == set(GROUPS[group])
    assert all(0 <= c.rho0 < 1 and c.length > 0 for c in corr.values())
    assert (path.parent / "report.md").is_file()
