"""A fingerprint of the statistics' code, for caches of estimates computed
by maintainer commands (fit-joint's held-out estimates): one made under
other code is not reused."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from tinytasks import estimators as estimators_package


@functools.cache
def estimate_code_digest() -> str:
    """SHA-256 of the statistics' source (`tinytasks.estimators`): an estimate
    depends on nothing else but the answers and the parameter file."""
    h = hashlib.sha256()
    for path in sorted(Path(estimators_package.__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
