"""Turns the case catalogue into certified vector files: oracle, tolerances, writer."""
