"""Wall time of the IRT fit, for 1 to 3 dimensions, on this machine, on the
largest real matrices: GSM8K's metabench pool (4,044 models x 237 items) and the shipped GSM8K calibration matrix
(both metabench pools merged: 3,644 models x 486 items).

    python -m benchmarks.irt_fit_time
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tinytasks.estimators import IRTFitter
from tinytasks.estimators.tables import load_calibration_data

from tinytasks.shared_data import SOURCES, load_source, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    root = shared_data_dir()
    src = SOURCES["gsm8k"]
    matrices = [load_calibration_data(root / src.responses[0], root / src.scores).responses,
                load_source("gsm8k", root).responses]
    rows = []
    for y in matrices:
        for d in (1, 2, 3):
            t0 = time.perf_counter()
            fit = IRTFitter(n_dims=d).fit(y)
            rows.append({"matrix": list(y.shape), "dims": d, "seconds": time.perf_counter() - t0,
                         "iterations": fit.n_iter, "converged": fit.converged})
            print(f"{y.shape[0]} x {y.shape[1]}, {d}-D: {rows[-1]['seconds']:.1f} s "
                  f"({fit.n_iter} L-BFGS iterations, converged={fit.converged})", flush=True)
    out = ROOT / "benchmarks" / "results" / "irt_fit_time.json"
    out.write_text(json.dumps({"fits": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
