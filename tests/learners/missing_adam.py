"""book_nn before its author wrote Adam: every other class of chapters 2-17 is there."""

from book_nn import *  # noqa: F403 - the whole network but one class

del Optimizer_Adam  # noqa: F821 - defined by the star import
