import json
from pathlib import Path

import pytest

from tinytasks.benchmarks import BENCHMARKS, FULL_ITEMS, REQUESTS_PER_ITEM

SAVINGS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "tiny_savings.json"


def test_requests_per_item_match_the_counted_full_runs():
    full = json.loads(SAVINGS.read_text())["full"]
    assert set(REQUESTS_PER_ITEM) == set(BENCHMARKS)
    for b in BENCHMARKS:
        assert full[b]["items"] == FULL_ITEMS[b]
        assert REQUESTS_PER_ITEM[b] == pytest.approx(full[b]["requests"] / full[b]["items"], abs=0.01)
