"""Naming the mistake behind a failure: the catalogue of known mistakes and their emulator."""
