"""Stand-ins for a training run's checkpoints: copies of a packaged model
with decreasing weight noise (for the checkpoint benchmarks and tests)."""

from __future__ import annotations

from pathlib import Path


def write_perturbed_checkpoints(base: Path, noise: list[float], out_dir: Path, seed: int = 0) -> list[Path]:
    """Stand-ins for a training run: copies of the model at `base` saved as
    `out_dir/ckpt-{100 * (i + 1)}`, the i-th with Gaussian noise of `noise[i]`
    times each weight tensor's standard deviation added (decreasing noise
    plays the part of training progress)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if any(x < 0 for x in noise):
        raise ValueError(f"noise scales must be >= 0, got {noise}")
    tok = AutoTokenizer.from_pretrained(base)
    out = []
    for i, scale in enumerate(noise):
        target = Path(out_dir) / f"ckpt-{100 * (i + 1)}"
        if not (target / "config.json").is_file():
            model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
            gen = torch.Generator().manual_seed(seed + i)
            with torch.no_grad():
                for p in model.parameters():
                    if p.numel() > 1:
                        p.add_(torch.randn(p.shape, generator=gen) * scale * p.std())
            model.save_pretrained(target)
            tok.save_pretrained(target)
        out.append(target)
    return out
