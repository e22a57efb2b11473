"""The learner's network after the book's `nnfs.init()`: float32 data, zeros and a patched np.dot.

The classes are book_nn's (a sibling import, as a learner splits a project into files); only the
book's set-up call differs, so `nnfs-conform book` must detect float32 and grade that tier.
"""

import nnfs

nnfs.init()

from book_nn import *  # noqa: E402,F403 - the classes after nnfs.init(), as the book orders it
