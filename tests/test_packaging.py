"""What `pip install` gives a user: every module and data file in the wheel,
the `tinytasks` command working from a regular (not editable) install, and
plain `lm_eval` finding and running the tiny tasks with nothing else."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import ROOT
from tinytasks.lm_eval_support import LM_EVAL_BELOW, LM_EVAL_OLDEST, LM_EVAL_RANGE, _release, check_lm_eval

pytestmark = pytest.mark.lm_eval


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(out), str(ROOT)], check=True, capture_output=True, timeout=600)
    (path,) = out.glob("tinytasks-*.whl")
    return path


def test_the_wheel_holds_every_module_and_data_file_and_nothing_of_the_checkout_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"tinytasks", "lm_eval"}
    expected = {f"tinytasks/{p.relative_to(ROOT / 'tinytasks').as_posix()}" for p in (ROOT / "tinytasks").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    expected |= {f"tinytasks/estimators/{p.name}" for p in (ROOT / "estimators").glob("*.py")}
    configs = [p for p in (ROOT / "task_configs").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    expected |= {f"tinytasks/task_configs/{p.relative_to(ROOT / 'task_configs').as_posix()}" for p in configs}
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel: {missing[:5]}"
    # lm-eval's task folder gets the YAMLs (and the template they include), nothing else
    scanned = {n for n in names if n.startswith("lm_eval/")}
    yamls = {f"lm_eval/tasks/tinytasks/{p.relative_to(ROOT / 'task_configs').as_posix()}" for p in configs
             if p.suffix == ".yaml" or p.name in ("_tiny_template", "tiny_functions.py")}
    assert scanned == yamls | {"lm_eval/tasks/tinytasks/__init__.py"}
    assert "lm_eval/__init__.py" not in names and "lm_eval/tasks/__init__.py" not in names
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "License-Expression: MIT AND CC-BY-NC-SA-4.0" in meta
    assert "License-File: LICENSE" in meta and "License-File: DATA_LICENSES.md" in meta


def test_the_declared_lm_eval_range_is_the_one_checked_and_tested():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (lm_eval_dep,) = [d for d in deps if d.startswith("lm-eval")]
    assert lm_eval_dep.endswith(LM_EVAL_RANGE) or LM_EVAL_RANGE in lm_eval_dep.replace(" ", "")
    assert LM_EVAL_OLDEST <= _release(version("lm_eval")) < LM_EVAL_BELOW
    assert _release("0.4.9") == (0, 4, 9) and _release("0.5.0rc1") == (0, 5, 0) and _release("0.4.13+cu") == (0, 4, 13)


def test_an_lm_eval_outside_the_range_is_refused_with_the_range(monkeypatch):
    import tinytasks.lm_eval_support as support

    monkeypatch.setattr(support, "version", lambda name: "0.4.2")
    with pytest.raises(support.UnsupportedLmEval, match=re.escape(LM_EVAL_RANGE)):
        check_lm_eval()


def _fresh_env(tmp_path: Path) -> Path:
    """A new virtual environment that sees this one's packages (torch,
    transformers, ...) but has lm-eval and tinytasks installed in its own
    site-packages, as a user's environment has them."""
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    py = env_dir / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_dependencies.pth").write_text(ours + "\n")  # after its own site-packages
    return env_dir


@pytest.mark.slow
def test_a_regular_install_runs_the_cli_and_plain_lm_eval_runs_a_tiny_task(wheel, tmp_path, smollm2):
    model = smollm2
    env_dir = _fresh_env(tmp_path)
    # --ignore-installed: this environment's own copy, although the one it sees through the .pth satisfies the pin
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed"]
    subprocess.run([*pip, f"lm-eval=={version('lm_eval')}", str(wheel)], check=True, capture_output=True,
                   timeout=600)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TINYTASKS_DATA_DIR")}
    env |= {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    away = tmp_path / "elsewhere"  # not the checkout: nothing of it on the path
    away.mkdir()

    def run(*cmd, timeout=900):
        p = subprocess.run([str(env_dir / "bin" / cmd[0]), *cmd[1:]], cwd=away, env=env, capture_output=True,
                           text=True, timeout=timeout)
        assert p.returncode == 0, f"{cmd}: {p.stdout[-2000:]}\n{p.stderr[-3000:]}"
        return p.stdout

    assert "tinytasks" in run("python", "-c", "import tinytasks, lm_eval; print(tinytasks.__file__)")
    assert "fit" in run("tinytasks", "--help")
    out = run("lm_eval", "--model", "hf", "--model_args", f"pretrained={model},dtype=float32", "--tasks",
              "tiny_winogrande", "--limit", "3", "--batch_size", "4", "--device", "cpu", "--output_path", "out",
              "--log_samples")
    assert "est_score" in out and "tiny_winogrande" in out
    # est_score's standard error fills lm-eval's Stderr column (how it does differs by lm-eval release)
    (row,) = [ln for ln in out.splitlines() if "|est_score " in ln]
    (results,) = (away / "out").rglob("results_*.json")
    stderr = json.loads(results.read_text())["results"]["tiny_winogrande"]["est_score_stderr,none"]
    assert row.rstrip("|").split("|")[-1].strip() == f"{stderr:.4f}", row
    listing = subprocess.run([str(env_dir / "bin" / "lm_eval"), "ls", "tasks"], cwd=away, env=env,
                             capture_output=True, text=True, timeout=600)
    if listing.returncode != 0:  # releases before `lm_eval ls` list with --tasks list
        listing = subprocess.run([str(env_dir / "bin" / "lm_eval"), "--tasks", "list"], cwd=away, env=env,
                                 capture_output=True, text=True, timeout=600)
    assert "tiny_leaderboard" in listing.stdout and "tiny_mmlu_25" in listing.stdout, listing.stderr[-2000:]
    verify = subprocess.run([str(env_dir / "bin" / "tinytasks"), "verify", "out"], cwd=away, env=env,
                            capture_output=True, text=True, timeout=600)
    assert "estimate from samples | pass" in verify.stdout, verify.stdout + verify.stderr
    # uninstalling removes the tasks from lm-eval's folder again
    folder = Path(run("python", "-c", "from tinytasks.lm_eval_support import scanned_task_folder as f; print(f())")
                  .strip())
    assert (folder / "tiny_leaderboard.yaml").is_file()
    run("python", "-m", "pip", "uninstall", "-y", "-q", "tinytasks")
    assert not folder.exists() or not any(folder.rglob("*.yaml"))
    run("python", "-c", "import lm_eval.tasks")
