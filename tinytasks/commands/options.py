"""Options several commands share: the model to run and the result cache."""

from __future__ import annotations

import argparse


def add_model_options(p: argparse.ArgumentParser, model_args_help: str) -> None:
    """The lm-eval model options of the commands that run models themselves."""
    p.add_argument("--model", default="hf", help="lm-eval model backend (default hf)")
    p.add_argument("--model_args", default="", help=model_args_help)
    p.add_argument("--batch_size", default="1")
    p.add_argument("--device", help="e.g. cpu, cuda:0 (default: cuda when available, else cpu)")


def add_cache_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache-dir", help="result cache (default ~/.cache/tinytasks/checkpoints or $TINYTASKS_CACHE_DIR)")


def default_device() -> str:
    """What lm-eval's own command line ends up with when no device is given:
    the GPU when there is one, else the CPU."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def eval_kwargs(a: argparse.Namespace) -> dict:
    """simple_evaluate's batch size and device from the model options."""
    return {"batch_size": a.batch_size, "device": a.device or default_device()}
