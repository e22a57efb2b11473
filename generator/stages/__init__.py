"""One module per stage, named after it (as ONNX keeps one file per operator), each with:

- `DESCRIPTION`: the vector file's description; `REQUIRES`: the stages it builds on;
- `cases()`: the stage's catalogue, every case declared by name (generator/cases.py: `ok`, `bad`);
- `golden(x, p, tier)`: {output name: (value, tol)} from the exact oracle, for inputs as the
  tier reads them;
- optionally `EXACT_MEANS_ZERO_TOL = True`: a case tagged `exact` is certified to have zero
  tolerance on every output.

Which stages there are, in which order, is the suite's stage table (nnfs_conform.suite.stages);
a stage without its module here fails at import.
"""

from importlib import import_module

from nnfs_conform.suite.stages import TABLE

MODULES = {stage.name: import_module(f".{stage.name}", __name__) for stage in TABLE}
