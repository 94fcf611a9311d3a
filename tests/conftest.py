import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TINYTASKS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def simulate_2pl(n_models: int, n_items: int, n_dims: int = 1, seed: int = 0):
    """Responses drawn from a known (M)2PL: (responses, theta, slopes, intercepts)."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((n_models, n_dims))
    slopes = np.abs(rng.normal(1.2, 0.4, (n_items, n_dims)))
    intercepts = rng.normal(0, 1.5, n_items)
    p = 1 / (1 + np.exp(-(theta @ slopes.T + intercepts)))
    y = (rng.random(p.shape) < p).astype(float)
    return y, theta, slopes, intercepts


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED / "responses").is_dir():
        pytest.skip(f"shared data not found at {SHARED} (set TINYTASKS_SHARED_DATA)")
    return SHARED


@pytest.fixture(scope="session")
def smollm2():
    """The packaged SmolLM2-135M-Instruct as a local transformers folder (skip if its package is missing)."""
    from tinytasks.packaged_models import ensure_hf_folder

    try:
        return ensure_hf_folder("smollm2-135m")
    except FileNotFoundError as e:
        pytest.skip(str(e))


@pytest.fixture(scope="session")
def mmlu_data(shared_data):
    from maintainer.shared_data import load_source

    return load_source("mmlu", shared_data)
