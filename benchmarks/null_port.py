"""A port that computes nothing: it answers each run request with a reply read from a file at
start, so a benchmark against it measures the runner alone.

    python benchmarks/null_port.py REPLIES.jsonl

REPLIES.jsonl holds the hello reply on its first line, then one run reply a line (each with its
seq). The table is prepared from the vectors before the run; the runner never sends expected
values. A request's seq is found without parsing the whole request. Standard library only.
"""

import json
import re
import sys

SEQ = re.compile(rb'"seq"\s*:\s*(\d+)')


def main() -> int:
    with open(sys.argv[1], "rb") as f:
        hello = f.readline()
        table = {json.loads(line)["seq"]: line for line in f}
    read, out = sys.stdin.buffer.readline, sys.stdout.buffer
    while True:
        line = read()
        if not line:
            return 0
        if b'"cmd":"run"' in line:
            found = SEQ.search(line, 0, 200)
            out.write(table.get(int(found.group(1)), b'{"seq":-1,"outputs":{}}\n'))
        elif b'"cmd":"hello"' in line:
            out.write(hello)
        elif b'"cmd":"bye"' in line:
            return 0
        else:
            continue
        out.flush()


if __name__ == "__main__":
    sys.exit(main())
