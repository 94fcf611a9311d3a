"""Wall time of the IRT fit on the largest real matrix (GSM8K: 4,044 models x
237 items), for 1 to 3 dimensions, on this machine.

    python benchmarks/irt_fit_time.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estimators import IRTFitter  # noqa: E402
from tinytasks.shared_data import load_source, shared_data_dir  # noqa: E402


def main() -> int:
    root = shared_data_dir()
    data = load_source("gsm8k", root)
    rows = []
    for d in (1, 2, 3):
        t0 = time.perf_counter()
        fit = IRTFitter(n_dims=d).fit(data.responses)
        rows.append({"dims": d, "seconds": time.perf_counter() - t0, "iterations": fit.n_iter,
                     "converged": fit.converged})
        print(f"{data.responses.shape[0]} x {data.responses.shape[1]}, {d}-D: {rows[-1]['seconds']:.1f} s "
              f"({fit.n_iter} L-BFGS iterations, converged={fit.converged})", flush=True)
    out = ROOT / "benchmarks" / "results" / "irt_fit_time.json"
    out.write_text(json.dumps({"matrix": list(data.responses.shape), "fits": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
