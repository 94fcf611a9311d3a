import json

import pytest

from tinytasks.cli import main
from tinytasks.fitting import numerical_library_versions
from tinytasks.registry import TASK_CONFIG_DIR


@pytest.mark.slow
def test_fit_shared_reproduces_the_shipped_mmlu_file_byte_for_byte(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("TINYTASKS_SHARED_DATA", str(shared_data))
    assert main(["fit-shared", "--benchmark", "mmlu", "--out-dir", str(tmp_path), "--report-budgets", "none"]) == 0
    shipped = (TASK_CONFIG_DIR / "tiny_mmlu" / "params.json").read_bytes()
    fitted_with = json.loads(shipped)["metadata"]["fitted_with"]
    assert fitted_with == numerical_library_versions(), (
        "the shipped file was fitted with other versions of the numerical libraries; install with "
        "scripts/install.sh (pinned by scripts/constraints.txt) to reproduce it byte for byte")
    assert (tmp_path / "tiny_mmlu" / "params.json").read_bytes() == shipped


def test_fit_reports_bad_input_clearly(tmp_path, capsys):
    (tmp_path / "r.csv").write_text("model,a,b\nm1,1,2\n")
    (tmp_path / "s.csv").write_text("model,score\nm1,50\n")
    code = main(["fit", "--responses", str(tmp_path / "r.csv"), "--scores", str(tmp_path / "s.csv"),
                 "--task", "tiny_x", "--out", str(tmp_path / "p.json")])
    assert code == 2
    assert "only 0, 1 or NaN" in capsys.readouterr().err
    code = main(["fit", "--responses", str(tmp_path / "missing.csv"), "--scores", str(tmp_path / "s.csv"),
                 "--task", "tiny_x", "--out", str(tmp_path / "p.json")])
    assert code == 2
    assert "not found" in capsys.readouterr().err


def test_fit_on_a_small_own_benchmark_writes_params_and_report(tmp_path):
    import numpy as np

    from conftest import simulate_2pl
    from estimators import load_estimator

    y, theta, _, _ = simulate_2pl(60, 30, seed=9)
    rows = ["model," + ",".join(f"q{j}" for j in range(30))]
    rows += [f"m{i}," + ",".join(str(int(v)) for v in y[i]) for i in range(60)]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    scores = 50 + 15 * theta[:, 0]
    (tmp_path / "s.csv").write_text("model,score\n" + "\n".join(f"m{i},{s:.3f}" for i, s in enumerate(scores)) + "\n")
    out = tmp_path / "tiny_own" / "params.json"
    code = main(["fit", "--responses", str(tmp_path / "r.csv"), "--scores", str(tmp_path / "s.csv"),
                 "--task", "tiny_own", "--budget", "10", "--dims", "1", "--folds", "3",
                 "--report-budgets", "10,all", "--out", str(out)])
    assert code == 0
    est, meta = load_estimator(out)
    assert len(meta["anchors"]) == 10 and est.anchors_.items.size == 10
    assert "| 10 | tinytasks |" in (out.parent / "report.md").read_text()
    assert np.isfinite(est.predict(np.ones((1, 10))).score).all()
