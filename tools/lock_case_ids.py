"""Write tests/data/case-fingerprints-<version>.json: every case id of vectors/ and its fingerprint.

Run at a release (`python -m tools.lock_case_ids`): tests/test_versioning.py then fails when a
later version of the same major drops a locked id or changes what it means (docs/VERSIONING.md).
"""

import json
import sys
from pathlib import Path

from nnfs_conform.suite.vectors import load_suite

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    suite = load_suite(REPO / "vectors")
    lock = {
        "suite_version": suite.suite_version,
        "cases": {case.id: case.fingerprint for case in suite.cases()},
    }
    out = REPO / "tests" / "data" / f"case-fingerprints-{suite.suite_version}.json"
    out.write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"locked {len(lock['cases'])} case ids of suite {suite.suite_version} in "
        f"{out.relative_to(REPO)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
