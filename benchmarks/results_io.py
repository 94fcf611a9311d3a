"""Writing a benchmark's results: the Markdown table printed and saved, the
full numbers as JSON beside it."""

from __future__ import annotations

import json
from pathlib import Path


def write_results(out: str | Path, lines: list[str], report: dict) -> None:
    """Print `lines` and save them to out.md, and `report` to out.json."""
    text = "\n".join(lines)
    print(text)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(text + "\n")
    out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")


def table_row(*cells) -> str:
    """One Markdown table row; printed at once, since benchmarks run long."""
    line = "| " + " | ".join(str(c) for c in cells) + " |"
    print(line, flush=True)
    return line


def previous_results(out: str | Path, key: str | None = None, settings: dict | None = None) -> dict:
    """For a rerun of some benchmarks only (`--update`): the results saved at
    `out`.json (its `key` entry, or all of it), which must have been computed
    with the same `settings` (the file's "settings" entry)."""
    path = Path(out).with_suffix(".json")
    if not path.exists():
        raise SystemExit(f"--update needs earlier results at {path}; run without --update first")
    old = json.loads(path.read_text())
    differ = {k: (old.get("settings", {}).get(k), v) for k, v in (settings or {}).items()
              if old.get("settings", {}).get(k) != v}
    if differ:
        raise SystemExit(f"--update: {path} was computed with other settings (file, now): {differ}; "
                         "rerun with the file's settings or without --update")
    return old[key] if key else old
