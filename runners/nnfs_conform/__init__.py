"""nnfs-conformance: check a port of Neural Networks from Scratch against certified vectors."""

__version__ = "1.0.0"
