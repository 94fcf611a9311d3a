"""The items the tiny tasks ask, stored once per benchmark and shipped with
the package: each anchor's match text, its document (question, choices,
gold answer, in the schema of the Hugging Face dataset the leaderboard's
lm-eval task loads) and its few-shot prefix, shared by every task of
the benchmark (`tiny_arc`, `tiny_arc_25`, ...), which name their anchors by
key. The prefix is the item's exact leaderboard prefix, or, for an item
whose leaderboard prompt is unknown, another item's (`prefix_from` names
it). The file also names the benchmark's source and licence.

The file is gzipped JSON. Prefixes are stored as lists of indices into one
list of unique shots (a prefix split at blank lines; joining them back gives
it exactly): leaderboard prefixes draw their shots from a few hundred
training examples, so most shots repeat. A parameter file records a digest of
its own anchors' entries, so an edit that changes what its prompts would be
is detected, while other tasks may add entries to the same file.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from pathlib import Path

FORMAT = "tinytasks-item-texts"
SHOT_SEPARATOR = "\n\n"


class ItemTextError(ValueError):
    """An item-text file that cannot serve a parameter file, with what to do."""


def entries_digest(entries: dict[str, dict]) -> str:
    """SHA-256 of {key: {match_text, fewshot_prefix[, doc][, prefix_from]}} in canonical JSON."""
    return hashlib.sha256(json.dumps(entries, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _encode(benchmark: str, entries: dict[str, dict], about: dict) -> bytes:
    shots: dict[str, int] = {}
    items = {}
    for key in sorted(entries):
        e = entries[key]
        idx = [shots.setdefault(s, len(shots)) for s in e["fewshot_prefix"].split(SHOT_SEPARATOR)]
        items[key] = {"match_text": e["match_text"], "shots": idx,
                      **{k: e[k] for k in ("doc", "prefix_from") if k in e}}
    doc = {"format": FORMAT, "benchmark": benchmark, **about, "shots": list(shots), "items": items}
    return gzip.compress(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False).encode(), 9, mtime=0)


@functools.lru_cache(maxsize=None)
def _read(path: Path) -> dict:
    if not path.is_file():
        raise ItemTextError(f"item file {path} not found: this tinytasks installation is incomplete; reinstall "
                            "tinytasks (the tiny tasks' items ship inside the package)")
    try:
        doc = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, json.JSONDecodeError) as e:
        raise ItemTextError(f"{path} is not a gzipped JSON item file ({e}); reinstall tinytasks") from e
    if doc.get("format") != FORMAT:
        raise ItemTextError(f"{path} is not a {FORMAT} file; reinstall tinytasks")
    return doc


def item_file_about(path: Path) -> dict:
    """The source and licence an item file names for its benchmark's items."""
    return {k: _read(path).get(k) for k in ("source", "licence")}


@functools.lru_cache(maxsize=None)
def read_item_texts(path: Path) -> dict[str, dict]:
    """{key: {"match_text", "fewshot_prefix", "doc", "prefix_from"}} from an
    item file ("doc" where the file has the item's document; "prefix_from",
    the key of the item whose few-shot prefix it borrows, where its own
    leaderboard prompt is unknown)."""
    doc = _read(path)
    shots = doc["shots"]
    return {k: {"match_text": v["match_text"], "fewshot_prefix": SHOT_SEPARATOR.join(shots[i] for i in v["shots"]),
                **{f: v[f] for f in ("doc", "prefix_from") if f in v}}
            for k, v in doc["items"].items()}


def write_item_texts(path: Path, benchmark: str, entries: dict[str, dict], about: dict | None = None) -> None:
    """Add `entries` ({key: {match_text, fewshot_prefix[, doc]}}) to the file
    at `path` (created if absent), which names the items' source and licence
    (`about`; default: what the file says). An entry already there must be
    the same."""
    old = read_item_texts(path) if path.is_file() else {}
    clash = [k for k in entries if k in old and old[k] != entries[k]]
    if clash:
        raise ItemTextError(f"{path}: item {clash[0]} is stored with another text, document or prefix; the "
                            "benchmark's data changed: refit every task that shares this file")
    about = about if about is not None else item_file_about(path) if path.is_file() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _encode(benchmark, old | entries, about)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)
    read_item_texts.cache_clear()
    _read.cache_clear()


def anchor_texts(params_path: Path, metadata: dict) -> list[dict]:
    """The parameter file's anchors, each with its match text and few-shot
    prefix from the item-text file it names (checked against its digest);
    anchors of a file without one come back as they are."""
    anchors = metadata["anchors"]
    if not metadata.get("item_texts"):
        return anchors
    path = (params_path.parent / metadata["item_texts"]["file"]).resolve()
    texts = read_item_texts(path)
    missing = [a["key"] for a in anchors if a["key"] not in texts]
    if missing:
        raise ItemTextError(f"{path} has no text for {len(missing)} anchors of {params_path} (e.g. {missing[0]}); "
                            "reinstall tinytasks or refit")
    own = {a["key"]: texts[a["key"]] for a in anchors}
    if entries_digest(own) != metadata["item_texts"]["sha256"]:
        raise ItemTextError(f"the texts in {path} of {params_path}'s anchors are not those it was fitted with; "
                            "reinstall tinytasks or refit")
    return [a | own[a["key"]] for a in anchors]
