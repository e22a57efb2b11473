"""Answers hello with 200,000 distinct numbers for its stages: every item breaks the schema, and
no two are equal (a check comparing every pair, or explaining every break, would stall)."""

import _port

_port.serve(hello=dict(_port.HELLO, stages=list(range(200_000))))
