import json

import numpy as np
import pytest

from tinytasks.estimators.comparison import compare_estimates
from tinytasks.cli import main
from tinytasks.compare import compare_files


def test_difference_interval_is_the_two_independent_errors_combined():
    d = compare_estimates((60.0, 56.08, 63.92), (50.0, 47.06, 52.94))  # standard errors 2.0 and 1.5
    assert d.diff == pytest.approx(10.0)
    assert d.upper - d.lower == pytest.approx(2 * 1.959964 * 2.5, rel=1e-4)
    assert d.verdict == "A ahead" and d.prob_a_ahead > 0.99
    close = compare_estimates((51.0, 47.5, 54.5), (50.5, 46.8, 54.2))
    assert close.verdict == "no clear difference" and 0.5 < close.prob_a_ahead < 0.7
    assert compare_estimates((40.0, 38.0, 42.0), (50.0, 48.0, 52.0)).verdict == "B ahead"


def test_malformed_estimate_is_an_error():
    with pytest.raises(ValueError, match="lower <= score <= upper"):
        compare_estimates((50.0, 52.0, 54.0), (50.0, 48.0, 52.0))


def _results(path, est):
    doc = {"results": {t: {"est_score,none": s, "est_lower,none": lo, "est_upper,none": hi, "alias": t}
                       for t, (s, lo, hi) in est.items()}, "config": {"model_args": path.stem}}
    path.write_text(json.dumps(doc))
    return path


def test_compare_command_on_results_files(tmp_path, capsys):
    a = _results(tmp_path / "a.json", {"tiny_mmlu": (60.0, 57.0, 63.0), "tiny_arc": (40.0, 36.0, 44.0)})
    b = _results(tmp_path / "b.json", {"tiny_mmlu": (50.0, 47.0, 53.0), "tiny_gsm8k": (10.0, 8.0, 12.0)})
    _, _, diffs = compare_files(a, b)
    assert list(diffs) == ["tiny_mmlu"]
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "| tiny_mmlu | +10.00 |" in out and "A ahead" in out


def test_compare_rejects_files_without_tiny_estimates(tmp_path):
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"results": {"arc_easy": {"acc,none": 0.5}}}))
    with pytest.raises(ValueError, match="no tiny task estimates"):
        compare_files(plain, plain)
    with pytest.raises(FileNotFoundError, match="lm-eval results JSON"):
        compare_files(tmp_path / "nope.json", plain)


def _joint_file(path, tasks):
    """A joint-estimate file for `tasks`, fitted on simulated estimates."""
    import numpy as np

    from tinytasks.estimators import JointCorrection, write_joint_file

    rng = np.random.default_rng(0)
    truth = 50 + 10 * rng.normal(0, 1, 800)[:, None] + rng.normal(0, 2, (800, len(tasks)))
    score = truth + rng.normal(0, 1.5, truth.shape)
    write_joint_file(path, JointCorrection.fit(tasks, score, score - 3, score + 3, truth), {"tasks": tasks}, {})
    return path


def test_average_of_independent_estimates_and_its_command(tmp_path, capsys, monkeypatch):
    from tinytasks import compare
    from tinytasks.estimators.comparison import average_estimates
    from tinytasks.registry import GROUPS

    mean, lo, hi = average_estimates([60.0, 40.0], [57.0, 36.0], [63.0, 44.0])
    assert mean == pytest.approx(50.0)
    assert hi - mean == pytest.approx(2.5)  # half-widths 3 and 4 -> sqrt(9 + 16) / 2
    _, lo, hi = average_estimates([60.0, 40.0], [57.0, 38.0], [69.0, 44.0])  # asymmetric: each side on its own
    assert (50.0 - lo, hi - 50.0) == (pytest.approx(np.hypot(3, 2) / 2), pytest.approx(np.hypot(9, 4) / 2))
    with pytest.raises(ValueError, match="lower <= score"):
        average_estimates([50.0], [51.0], [52.0])
    six = {f"tiny_{b}": (50.0 + i, 48.0 + i, 52.0 + i)
           for i, b in enumerate(("arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k"))}
    six["tiny_leaderboard"] = (52.5, 50.5, 54.5)
    results = _results(tmp_path / "r.json", six)
    # No joint estimate fitted for the lineup: said plainly.
    monkeypatch.setattr(compare, "joint_params_path", lambda group: tmp_path / group / "params.json")
    assert main(["average", str(results)]) == 0
    out = capsys.readouterr().out
    assert "average of 6 tiny tasks" in out and ": 52.50 [" in out and "[50.50, 54.50]" in out
    assert "missing" not in out
    assert "no joint estimate ships for tiny_leaderboard" in out and "reinstall tinytasks" in out
    # With one: a row per task, and their average.
    (tmp_path / "tiny_leaderboard").mkdir()
    _joint_file(tmp_path / "tiny_leaderboard" / "params.json", GROUPS["tiny_leaderboard"])
    assert main(["average", str(results)]) == 0
    out = capsys.readouterr().out
    assert "| tiny_hellaswag | 51.00 [49.00, 53.00] |" in out and "average of the joint estimates: " in out


def test_average_takes_the_smaller_tasks_when_the_full_ones_are_absent(tmp_path, capsys):
    from tinytasks.registry import GROUPS

    est = {t: (50.0 + i, 48.0 + i, 52.0 + i) for i, t in enumerate(GROUPS["tiny_leaderboard_25"])}
    est["tiny_mmlu"] = (70.0, 68.0, 72.0)  # the 100-anchor task wins over tiny_mmlu_25
    assert main(["average", str(_results(tmp_path / "r.json", est))]) == 0
    out = capsys.readouterr().out
    averaged = next(line for line in out.splitlines() if line.startswith("average of 6 tiny tasks"))
    assert "tiny_mmlu," in averaged and "tiny_mmlu_25" not in averaged
    assert "no joint estimate: these tasks mix lineups" in out and "average of the joint estimates" not in out
