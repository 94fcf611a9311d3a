"""Same answers, same estimate, on every machine: every shipped task's pinned
examples (calibration models, partial runs, answers at and below chance)
estimated under other numeric kernels and thread counts, each in a child
process, agree with each other and with the values pinned in the repository
to 1e-9. The settings are made only in the children's environments."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.kernel_settings import child_env, kernel_settings
from tinytasks.registry import BENCHMARK_OF_TASK

HERE = Path(__file__).resolve().parent
TOL = 1e-9


@pytest.fixture(scope="module")
def runs() -> dict[str, dict]:
    out = {}
    for name, changes in kernel_settings().items():
        proc = subprocess.run([sys.executable, str(HERE / "pinned_estimates.py")], env=child_env(changes),
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{name}: {proc.stderr[-2000:]}"
        out[name] = json.loads(proc.stdout)
    return out


# Core types a DYNAMIC_ARCH OpenBLAS serves with another kernel it has: it reports Prescott as Katmai, Zen as Haswell.
SERVED_AS = {"prescott": {"prescott", "katmai"}, "zen": {"zen", "haswell"}}


def test_the_kernel_settings_load_the_kernels_they_name(runs):
    for name, changes in kernel_settings().items():
        core = changes.get("OPENBLAS_CORETYPE")
        if core:
            loaded = {b.lower() for b in runs[name]["blas"]}
            assert len(loaded) == 1 and loaded <= SERVED_AS.get(core.lower(), {core.lower()}), (name, loaded)


@pytest.mark.parametrize("task", sorted(BENCHMARK_OF_TASK))
def test_every_kernel_setting_gives_the_pinned_estimates(runs, task):
    from pinned_estimates import pinned_rows

    pinned = [[ex["score"], ex["lower"], ex["upper"], ex["extrapolated"], ex["misfit"]] for ex in pinned_rows(task)]
    kinds = {ex["what"].split(",")[0] for ex in pinned_rows(task)}
    assert any("unanswered" in ex["what"] for ex in pinned_rows(task)), f"{task}: no pinned partial run ({kinds})"
    for name, run in runs.items():
        got = run["estimates"][task]
        assert len(got) == len(pinned)
        for i, (g, p) in enumerate(zip(got, pinned)):
            assert g[3:] == p[3:], f"{task}, example {i}, {name}: flags {g[3:]} != pinned {p[3:]}"
            assert max(abs(a - b) for a, b in zip(g[:3], p[:3])) <= TOL, (
                f"{task}, example {i}, {name}: {g[:3]} != pinned {p[:3]}")
