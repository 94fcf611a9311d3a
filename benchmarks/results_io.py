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
