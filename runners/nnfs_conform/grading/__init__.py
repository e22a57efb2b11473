"""Grading: the comparison rule, each case's outcome, expectations and the canonical result."""
