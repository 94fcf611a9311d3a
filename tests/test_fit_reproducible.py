import json
import os
import subprocess
import sys

import pytest

import maintainer.__main__ as maintainer_cli
from tinytasks import cli
from tinytasks.cli import main
from tinytasks.fitting import numerical_library_versions
from tinytasks.pinned_numerics import ENABLED, PINNED_ENV
from tinytasks.item_texts import read_item_texts
from tinytasks.registry import TASK_CONFIG_DIR


@pytest.mark.slow
@pytest.mark.parametrize("task, args", [("tiny_mmlu_pool", ["--budget", "all"]), ("tiny_mmlu_25", ["--budget", "25"])])
def test_fit_shared_reproduces_the_shipped_mmlu_files_byte_for_byte(shared_data, tmp_path, monkeypatch, task, args):
    monkeypatch.setenv("TINYTASKS_SHARED_DATA", str(shared_data))
    assert maintainer_cli.main(["fit-shared", "--benchmark", "mmlu", "--out-dir", str(tmp_path),
                                "--report-budgets", "none", *args]) == 0
    shipped = (TASK_CONFIG_DIR / task / "params.json").read_bytes()
    fitted_with = json.loads(shipped)["metadata"]["fitted_with"]
    assert fitted_with == numerical_library_versions(), (
        "the shipped file was fitted with other versions of the numerical libraries; install with "
        "scripts/install.sh (pinned by scripts/constraints.txt) to reproduce it byte for byte")
    for name in ("params.json", "params.npz", "params.adaptive.json", "params.adaptive.npz"):
        fitted, shipped = tmp_path / task / name, TASK_CONFIG_DIR / task / name
        assert fitted.exists() == shipped.exists(), name  # adaptive maps: whole-pool tasks only
        assert not shipped.exists() or fitted.read_bytes() == shipped.read_bytes(), name
    fitted = read_item_texts(tmp_path / "items" / "mmlu.json.gz")
    assert fitted.items() <= read_item_texts(TASK_CONFIG_DIR / "items" / "mmlu.json.gz").items()


def test_fit_shared_writes_only_the_shipped_tasks_into_the_task_folder(capfd):
    assert maintainer_cli.main(["fit-shared", "--benchmark", "mmlu", "--budget", "30"]) == 2
    err = capfd.readouterr().err
    assert "tiny_mmlu_30 is not one" in err and "tiny_mmlu_25" in err and "tiny_mmlu_pool" in err


def test_fit_reports_bad_input_clearly(tmp_path, capfd):
    (tmp_path / "r.csv").write_text("model,a,b\nm1,1,2\n")
    (tmp_path / "s.csv").write_text("model,score\nm1,50\n")
    code = main(["fit", "--responses", str(tmp_path / "r.csv"), "--scores", str(tmp_path / "s.csv"),
                 "--task", "tiny_x", "--out", str(tmp_path / "p.json")])
    assert code == 2
    assert "r.csv, row 2 (model 'm1'), column 'b': '2' is not a result" in capfd.readouterr().err
    code = main(["fit", "--responses", str(tmp_path / "missing.csv"), "--scores", str(tmp_path / "s.csv"),
                 "--task", "tiny_x", "--out", str(tmp_path / "p.json")])
    assert code == 2
    assert "not found" in capfd.readouterr().err


def test_fit_on_a_small_own_benchmark_writes_params_and_report(tmp_path):
    import numpy as np

    from conftest import simulate_2pl
    from tinytasks.estimators import load_estimator

    y, theta, _, _ = simulate_2pl(60, 30, seed=9)
    rows = ["model," + ",".join(f"q{j}" for j in range(30))]
    rows += [f"m{i}," + ",".join(str(int(v)) for v in y[i]) for i in range(60)]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    scores = 50 + 15 * theta[:, 0]
    (tmp_path / "s.csv").write_text("model,score\n" + "\n".join(f"m{i},{s:.3f}" for i, s in enumerate(scores)) + "\n")
    out = tmp_path / "tiny_own" / "params.json"
    code = main(["fit", "--responses", str(tmp_path / "r.csv"), "--scores", str(tmp_path / "s.csv"),
                 "--task", "tiny_own", "--budget", "10", "--dims", "1", "--folds", "3",
                 "--report-budgets", "10,half,all", "--out", str(out)])
    assert code == 0
    est, meta = load_estimator(out)
    assert len(meta["anchors"]) == 10 and est.anchors_.items.size == 10
    report_md = (out.parent / "report.md").read_text()
    assert "| 10 | tinytasks |" in report_md and "| 15 (half pool) | tinytasks |" in report_md
    assert np.isfinite(est.predict(np.ones((1, 10))).score).all()


def test_fit_commands_rerun_themselves_with_pinned_kernels_and_others_do_not(monkeypatch, tmp_path):
    calls = []
    for module in (cli, maintainer_cli):
        monkeypatch.setattr(module, "numerics_are_pinned", lambda: False)
        monkeypatch.setattr(module, "rerun_pinned", lambda mod, argv: calls.append((mod, argv)) or 7)
    argv = ["fit-joint", "--out", str(tmp_path / "j.json")]
    assert maintainer_cli.main(argv) == 7 and calls == [("maintainer", argv)]
    fit = ["fit", "--responses", "r.csv", "--scores", "s.csv", "--task", "t", "--out", str(tmp_path / "p.json")]
    assert main(fit) == 7 and calls[-1] == ("tinytasks.cli", fit)
    assert main(["path"]) == 0 and len(calls) == 2


@pytest.mark.skipif(not ENABLED, reason="kernel pinning applies to x86-64 only")
def test_pinned_environment_loads_the_avx2_kernels():
    code = ("import json, numpy; from threadpoolctl import threadpool_info; "
            "from numpy._core._multiarray_umath import __cpu_features__ as f; "
            "print(json.dumps([[i.get('architecture') for i in threadpool_info() if i['internal_api'] == 'openblas'], "
            "[k for k in ('X86_V4', 'AVX512_ICL', 'AVX512_SPR') if f.get(k)]]))")
    out = subprocess.run([sys.executable, "-c", code], env=os.environ | PINNED_ENV,
                         capture_output=True, text=True, check=True).stdout
    blas_archs, avx512_dispatch = json.loads(out)
    assert blas_archs and set(blas_archs) == {"Haswell"}, blas_archs
    assert avx512_dispatch == []
