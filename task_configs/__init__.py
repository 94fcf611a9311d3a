"""lm-eval task YAMLs of the tiny tasks, with their parameter files and reports."""
