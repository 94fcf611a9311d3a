"""Fits that give the same bytes on every x86-64 machine.

OpenBLAS and NumPy pick their vector kernels by CPU at load time (AVX-512 on
one machine, AVX2 on another), and the kernels round differently in the last
bits. Estimates are immune to that (see `estimators.grid`), fits are not: the
IRT fit's optimiser follows another path from the first differing bit and
stops elsewhere on a flat optimum (on the shared MMLU matrix, item slopes 0.07
apart even after the best rotation; benchmarks/determinism.py), and the anchor
choice and the trees fitted downstream are discrete. Fits therefore run with
the kernels pinned to the AVX2 level every current x86-64 server has, on one
thread. The variables only act when set before NumPy loads, so a fit command
started without them runs itself again in a child process that has them.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys


try:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
except ImportError:  # NumPy 1.x
    from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__


def _numpy_avx512_targets() -> str:
    """This NumPy's names for its AVX-512 dispatch targets (they differ by
    version; disabling one the CPU lacks is a no-op)."""
    return " ".join(t for t in __cpu_dispatch__ if "AVX512" in t or t == "X86_V4")


# One BLAS thread too: a threaded reduction splits its sums by the number of cores.
PINNED_ENV = {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": _numpy_avx512_targets(),
              "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
ENABLED = platform.machine().lower() in ("x86_64", "amd64") and bool(__cpu_features__.get("AVX2"))


def numerics_are_pinned() -> bool:
    """True when this process runs with PINNED_ENV (or pinning does not apply here)."""
    return not ENABLED or all(os.environ.get(k) == v for k, v in PINNED_ENV.items())


def rerun_pinned(module: str, argv: list[str]) -> int:
    """Run `python -m MODULE *argv` with PINNED_ENV; return its exit code."""
    env = os.environ | PINNED_ENV
    return subprocess.run([sys.executable, "-m", module, *argv], env=env).returncode

