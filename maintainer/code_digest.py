"""A fingerprint of the code that turns answers into estimates, for caches
of estimates: one made under other code is not reused."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from tinytasks import estimators as estimators_package

_GLUE = ("scoring.py",)  # passes the chance level and the item keys to the estimator


@functools.cache
def estimate_code_digest() -> str:
    """SHA-256 of the statistics' source (`tinytasks.estimators`) and the
    scoring glue that calls them."""
    h = hashlib.sha256()
    files = sorted(Path(estimators_package.__file__).parent.glob("*.py"))
    files += [Path(__file__).parent / name for name in _GLUE]
    for path in files:
        h.update(path.parent.name.encode() + b"/" + path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
