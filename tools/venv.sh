#!/bin/sh
# Make $1 a virtual environment with a pip of its own, unless it is one already: `make` and the
# GitHub Action (tools/action.sh) both start here. `python3 -m venv` alone spends ~5 s in
# ensurepip, installing and byte-compiling pip and setuptools; here the venv comes without
# them and the host's pip puts pip in it (~2 s: pip >= 22.3 installs into another
# interpreter). A host whose pip cannot gets ensurepip, as `python3 -m venv` would.
#
#   [PYTHON=python3] sh tools/venv.sh .venv
set -eu
venv=$1
python=${PYTHON:-python3}
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  exit 0
fi
"$python" -m venv --without-pip "$venv"
if "$python" -m pip --python "$venv/bin/python" install --quiet --disable-pip-version-check pip \
  >/dev/null 2>&1; then
  exit 0
fi
if ! "$venv/bin/python" -m ensurepip --default-pip >/dev/null 2>&1; then
  echo "tools/venv.sh: cannot put pip in $venv: $python's pip cannot install into it (pip >= 22.3" \
    "can) and it has no ensurepip (Debian, Ubuntu: apt-get install python3-venv)" >&2
  exit 1
fi
