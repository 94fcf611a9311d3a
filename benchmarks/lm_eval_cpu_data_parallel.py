"""lm-eval's command line with one more model backend, `hf-cpu-dp`: lm-eval's
own `hf` model, data-parallel over the processes `accelerate launch` starts
on a CPU-only machine.

lm-eval 0.4.13's `hf` backend splits the documents between processes only
when it sees more than one GPU; on a CPU-only machine every process of
`accelerate launch --num_processes 2` evaluates every document as rank 0 (both
print the whole table), so the rank-by-rank gathering that a GPU run does is
never exercised. `hf-cpu-dp` takes its rank and the number of processes from
accelerate (gloo on the CPU), exactly as `hf` does on GPUs; everything else
is lm-eval's. Used by `benchmarks/multi_process.py`:

    accelerate launch --multi_gpu --num_processes 2 benchmarks/lm_eval_cpu_data_parallel.py --model hf-cpu-dp ...
"""

from __future__ import annotations

from accelerate import Accelerator
from lm_eval.api.registry import register_model
from lm_eval.models.huggingface import HFLM


@register_model("hf-cpu-dp")
class CPUDataParallelHFLM(HFLM):
    """`hf`, with each accelerate process evaluating its share of the documents."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        accelerator = Accelerator()
        if accelerator.num_processes > 1 and self.world_size == 1:
            self.accelerator = accelerator
            self._rank = accelerator.local_process_index
            self._world_size = accelerator.num_processes


if __name__ == "__main__":
    from lm_eval.__main__ import cli_evaluate

    cli_evaluate()
