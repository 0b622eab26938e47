"""The number of inputs the fuzz tests tried (one counter for the run; printed by conftest)."""

TRIED = {"inputs": 0}
