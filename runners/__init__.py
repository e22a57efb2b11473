"""nnfs-conformance: check a port of Neural Networks from Scratch against certified vectors."""

__version__ = "0.1.0"
