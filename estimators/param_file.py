"""Parameter files: a fitted TinyEstimator plus metadata, versioned and
checksummed. Never pickle.

A parameter file is a pair: `NAME.json`, a readable manifest (format,
version, metadata, the estimator's settings and small values), and
`NAME.npz`, its numeric tables as typed arrays (tree nodes, item
parameters), each array standing in the manifest as {"npz": name}. The
manifest's SHA-256 covers its own content and a digest of every array, so
editing either file is detected. The adaptive score maps, which only
adaptive tests use, live in their own pair (`NAME.adaptive.json`/`.npz`
beside it) whose SHA-256 the main manifest records; loading a task for a fixed run
never reads them. Both files are byte-identical for identical inputs.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .tiny_estimator import TinyEstimator

FORMAT = "tinytasks-params"
FORMAT_VERSION = 14
# Older versions still read, and what they lack: 13 has no chance level in its
# settings (its estimates take none, as such a file's always did unless it
# was a shipped benchmark's; refit with `tinytasks fit --chance ...` to add one).
READABLE_VERSIONS = (13, FORMAT_VERSION)
REFIT = "refit it with `tinytasks fit` (a shipped task's: reinstall tinytasks)"
REINSTALL = "reinstall tinytasks"
ADAPTIVE_FORMAT = "tinytasks-adaptive-maps"
ANSWERS_FORMAT = "tinytasks-anchor-answers"
ANSWERS_FORMAT_VERSION = 1
ARRAY_MIN_SIZE = 8  # shorter numeric lists stay in the manifest, where they are readable
ARRAY_KEY = "npz"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same arrays give the same bytes
# An innermost JSON array (numbers, strings, booleans only), as json.dumps(indent=1) lays it out.
_FLAT_ARRAY = re.compile(r"\[\n[^\[\]{}]*?\n *\]")


class ParamFileError(ValueError):
    """A parameter file that cannot be used, with what to do about it."""


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _plain(obj: Any) -> Any:
    """Plain JSON types. Floats are kept exact (JSON's shortest repr
    round-trips), because tree splits can turn on the last digits."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def checksum(body: dict) -> str:
    """SHA-256 of the canonical JSON of everything but the checksum itself."""
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over every array's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _as_table(value: list) -> np.ndarray | None:
    """A numeric list (or list of equal-length numeric lists) long enough to
    store as an array, else None."""
    try:
        a = np.asarray(value)
    except ValueError:  # ragged
        return None
    if a.dtype.kind not in "biuf" or a.size < ARRAY_MIN_SIZE or a.ndim > 2:
        return None
    if a.dtype.kind in "iu":  # stored in the smallest integer type that holds them; read back as int64
        a = a.astype(np.result_type(np.min_scalar_type(a.min()), np.min_scalar_type(a.max())))
    return a


def split_arrays(obj: Any, path: str = "", arrays: dict | None = None) -> tuple[Any, dict[str, np.ndarray]]:
    """(obj with its long numeric lists replaced by {"npz": name}, the arrays by name)."""
    arrays = {} if arrays is None else arrays
    if isinstance(obj, dict):
        return {k: split_arrays(v, f"{path}.{k}" if path else k, arrays)[0] for k, v in obj.items()}, arrays
    if isinstance(obj, list):
        table = _as_table(obj)
        if table is not None:
            arrays[path] = table
            return {ARRAY_KEY: path}, arrays
        return [split_arrays(v, f"{path}.{i}", arrays)[0] for i, v in enumerate(obj)], arrays
    return obj, arrays


def join_arrays(obj: Any, arrays) -> Any:
    """The inverse of `split_arrays`: references replaced by their arrays."""
    if isinstance(obj, dict):
        if set(obj) == {ARRAY_KEY}:
            a = arrays[obj[ARRAY_KEY]]
            return a.astype(np.int64) if a.dtype.kind in "iu" else a
        return {k: join_arrays(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [join_arrays(v, arrays) for v in obj]
    return obj


def layout(doc: dict) -> str:
    """Indented JSON with every array of plain values on one line."""
    text = json.dumps(doc, indent=1, sort_keys=True, allow_nan=False)
    flat = _FLAT_ARRAY.sub(lambda m: "[" + ", ".join(v.strip() for v in m.group(0)[1:-1].split(",\n")) + "]", text)
    return flat + "\n"


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, member.getvalue())
    return buf.getvalue()


def adaptive_path(path: str | Path) -> Path:
    """Where the adaptive score maps of the parameter file `path` live."""
    return Path(path).with_suffix(".adaptive.json")


def write_pair(path: Path, fmt: str, version: int, fields: dict) -> dict:
    """Write `path` (manifest) and its .npz; returns the manifest."""
    body, arrays = split_arrays(_plain(fields))
    body = {"format": fmt, "format_version": version, **body, "arrays_sha256": arrays_digest(arrays)}
    doc = {**body, "sha256": checksum(body)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(layout(doc))
    path.with_suffix(".npz").write_bytes(_npz_bytes(arrays))
    return doc


def read_pair(path: str | Path, fmt: str, version: int, remedy: str, readable: tuple[int, ...] = ()) -> dict:
    """A checked manifest and its arrays, joined; `remedy` says what gives a
    good file (e.g. "refit it with `tinytasks fit`"); `readable`: older
    versions also accepted."""
    p = Path(path)
    if not p.is_file():
        raise ParamFileError(f"parameter file {p} not found; {remedy}")
    try:
        doc = json.loads(p.read_text())
    except json.JSONDecodeError as e:
        raise ParamFileError(f"parameter file {p} is not valid JSON ({e}); {remedy}") from e
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise ParamFileError(f"{p} is not a {fmt} file (format field "
                             f"{doc.get('format') if isinstance(doc, dict) else None!r})")
    if doc.get("format_version") not in (version, *readable):
        known = ", ".join(str(v) for v in sorted({version, *readable}))
        raise ParamFileError(
            f"{p} has parameter-file version {doc.get('format_version')!r}, but this tinytasks reads version(s) "
            f"{known}; {remedy}, or install the tinytasks release that wrote it"
        )
    body = {k: v for k, v in doc.items() if k != "sha256"}
    if doc.get("sha256") != checksum(body):
        raise ParamFileError(f"checksum mismatch in {p}: the file was edited or corrupted; {remedy}")
    npz = p.with_suffix(".npz")
    if not npz.is_file():
        raise ParamFileError(f"{npz} (the arrays of {p.name}) not found; {remedy}")
    with np.load(npz, allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}
    if arrays_digest(arrays) != doc["arrays_sha256"]:
        raise ParamFileError(f"checksum mismatch in {npz}: the arrays were edited or do not belong to {p.name}; "
                             f"{remedy}")
    return join_arrays(body, arrays) | {"sha256": doc["sha256"]}


def write_param_file(path: str | Path, estimator: TinyEstimator, metadata: dict) -> dict:
    """Write the parameter file `path` (and its .npz), with the adaptive score
    maps, if fitted, in their own pair beside it; returns the manifest."""
    path = Path(path)
    fields = estimator.to_dict()
    adaptive = fields.pop("adaptive")
    extra = adaptive_path(path)
    adaptive_sha = None
    if adaptive is not None:
        adaptive_sha = write_pair(extra, ADAPTIVE_FORMAT, FORMAT_VERSION, {"adaptive": adaptive})["sha256"]
    else:
        for stale in (extra, extra.with_suffix(".npz")):
            stale.unlink(missing_ok=True)
    return write_pair(path, FORMAT, FORMAT_VERSION,
                       {"metadata": metadata, "estimator": fields, "adaptive_sha256": adaptive_sha})


def read_param_document(path: str | Path, adaptive: bool = False) -> dict:
    """A checked parameter file (format, version, checksums), arrays joined;
    with `adaptive`, its adaptive score maps too (in `estimator`)."""
    doc = read_pair(path, FORMAT, FORMAT_VERSION, REFIT, READABLE_VERSIONS)
    doc["estimator"]["adaptive"] = None
    if adaptive and doc.get("adaptive_sha256"):
        extra = read_pair(adaptive_path(path), ADAPTIVE_FORMAT, FORMAT_VERSION, REFIT, READABLE_VERSIONS)
        if extra["sha256"] != doc["adaptive_sha256"]:
            raise ParamFileError(f"{adaptive_path(path)} is not the adaptive file {Path(path).name} was written "
                                 f"with; {REFIT}")
        doc["estimator"]["adaptive"] = extra["adaptive"]
    return doc


def load_estimator(path: str | Path, adaptive: bool = False) -> tuple[TinyEstimator, dict]:
    """The fitted estimator (with its adaptive maps when asked) and the
    metadata of a checked parameter file."""
    doc = read_param_document(path, adaptive)
    return TinyEstimator.from_dict(doc["estimator"]), doc["metadata"]


def write_answers_file(path: str | Path, document: dict) -> dict:
    """Write the calibration models' anchor answers (manifest and .npz)."""
    return write_pair(Path(path), ANSWERS_FORMAT, ANSWERS_FORMAT_VERSION, document)


def load_answers_file(path: str | Path) -> dict:
    """The checked anchor-answers document, arrays joined."""
    return read_pair(path, ANSWERS_FORMAT, ANSWERS_FORMAT_VERSION, REINSTALL)
