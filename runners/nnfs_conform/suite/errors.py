"""The kinds of error an invalid case expects (docs/STAGES.md, "Errors")."""

ERROR_KINDS = (
    "shape_mismatch",
    "ragged_rows",
    "empty_batch",
    "label_out_of_range",
    "invalid_label",
    "invalid_value",
)


class StageError(ValueError):
    """Inputs a stage refuses; `kind` is what a port must report."""

    def __init__(self, kind: str, message: str):
        assert kind in ERROR_KINDS, kind
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
