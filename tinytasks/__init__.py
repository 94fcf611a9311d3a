"""tinytasks: tiny, IRT-calibrated versions of the Open LLM Leaderboard
benchmarks for lm-evaluation-harness."""

__version__ = "0.1.0"
