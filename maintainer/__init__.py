"""The maintainers' commands: refit the shipped parameter files, joint
estimates and calibration answers from ../shared/data. Not part of the
installed package; run from a checkout with `python -m maintainer ...`."""
