"""`tinytasks pack-answers`: the calibration models' anchor answers `similar` compares with."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "write the calibration models' anchor answers that `similar` compares with, from shared/data"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="file to write (default: the shipped one)")


def run(a: argparse.Namespace) -> int:
    from ..anchor_answers import ANSWERS_PATH, pack_shared_answers

    pack_shared_answers(Path(a.out) if a.out else ANSWERS_PATH)
    return 0
