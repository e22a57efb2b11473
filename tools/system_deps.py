"""`python3 tools/system_deps.py [--check] NAME...`: what the suite needs beyond pip.

The logic is the runner's own module, runners/nnfs_conform/port/system_deps.py (standard
library only), run here by path because this runs before the virtual environment exists.
"""

import runpy
from pathlib import Path

runpy.run_path(
    str(Path(__file__).resolve().parents[1] / "runners/nnfs_conform/port/system_deps.py"),
    run_name="__main__",
)
