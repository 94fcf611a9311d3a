"""The numeric-kernel settings a machine can run the same computation under:
OpenBLAS core types (only those the CPU has the instructions for), NumPy's
dispatch targets switched off, and thread counts. Each is a set of
environment changes for a child process; the caller's own environment is
never touched."""

from __future__ import annotations

import os
import platform
from pathlib import Path

X86 = platform.machine().lower() in ("x86_64", "amd64")


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def numpy_targets(level: str) -> list[str]:
    """This NumPy's dispatch targets at `level` ("avx512" or "avx2") and above."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__
    avx512 = [t for t in __cpu_dispatch__ if "AVX512" in t or t == "X86_V4"]
    avx2 = [t for t in __cpu_dispatch__ if t in ("X86_V3", "AVX2", "FMA3")]
    return avx512 if level == "avx512" else avx2 + avx512


def kernel_settings() -> dict[str, dict[str, str | None]]:
    """name -> environment changes (None: the variable removed) of each child."""
    settings: dict[str, dict[str, str | None]] = {
        "this machine's own settings": {},
        "1 thread": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        "8 threads": {"OPENBLAS_NUM_THREADS": "8", "OMP_NUM_THREADS": "8"},
    }
    if not X86:
        return settings
    flags = cpu_flags()
    has_avx2 = {"avx2", "fma"} <= flags
    settings |= {
        "OpenBLAS Prescott, NumPy without AVX2 and AVX-512 loops, 2 threads": {
            "OPENBLAS_CORETYPE": "Prescott", "NPY_DISABLE_CPU_FEATURES": " ".join(numpy_targets("avx2")),
            "OPENBLAS_NUM_THREADS": "2"},
        "OpenBLAS Nehalem, NumPy with all its vector loops": {"OPENBLAS_CORETYPE": "Nehalem", "NPY_DISABLE_CPU_FEATURES": None},
    }
    if has_avx2:
        settings |= {
            "OpenBLAS Haswell, NumPy without AVX-512 loops, 1 thread": {
                "OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": " ".join(numpy_targets("avx512")),
                "OPENBLAS_NUM_THREADS": "1"},
            "OpenBLAS Zen, NumPy with all its vector loops, 8 threads": {
                "OPENBLAS_CORETYPE": "Zen", "NPY_DISABLE_CPU_FEATURES": None, "OPENBLAS_NUM_THREADS": "8"},
        }
    if "avx512f" in flags:  # a kernel the CPU lacks stops on an illegal instruction
        settings |= {"OpenBLAS SkylakeX, NumPy with all its vector loops": {"OPENBLAS_CORETYPE": "SkylakeX",
                                                                "NPY_DISABLE_CPU_FEATURES": None}}
    return settings


def child_env(changes: dict[str, str | None]) -> dict[str, str]:
    env = dict(os.environ)
    for k, v in changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env
