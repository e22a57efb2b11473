"""`nnfs-conform report` renders several runs as one port x stage matrix."""

import json

from runner_helpers import fake
from suite_factory import write_suite

from nnfs_conform.cli import main


def _run(tmp_path, vectors, port, name):
    out = tmp_path / f"{name}.json"
    main(
        [
            "run",
            "-q",
            "--vectors",
            str(vectors),
            "--timeout",
            "2",
            "--report-json",
            str(out),
            "--",
            *fake(port),
        ]
    )
    return out


def test_the_matrix_shows_every_stage_of_every_port_and_exits_on_the_worst(tmp_path, capsys):
    vectors = tmp_path / "vectors"
    write_suite(vectors)
    good = _run(tmp_path, vectors, "correct", "good")
    bad = _run(tmp_path, vectors, "error_everywhere", "bad")
    capsys.readouterr()
    markdown = tmp_path / "matrix.md"
    assert main(["report", str(good), str(bad), "--markdown", str(markdown)]) == 1
    console = capsys.readouterr().out.splitlines()
    assert console[0].split() == ["port", "dtype", "forward", "verdict"]  # the stages' group
    assert console[1].endswith("green") and "FAIL" not in console[1]
    assert "FAIL 3/3" in console[2] and console[2].rstrip().endswith("red")
    assert console[3].startswith("    failing: ") and all(
        stage in console[3] for stage in ("neuron", "relu", "accuracy")
    )
    assert main(["report", "--wide", str(good), str(bad)]) == 1
    wide = capsys.readouterr().out.splitlines()
    assert "neuron" in wide[0] and "relu" in wide[0] and "accuracy" in wide[0]
    table = markdown.read_text().splitlines()
    assert table[0].startswith("| port | dtype |") and table[1].startswith("| --- |")
    assert len(table) == 4
    assert main(["report", str(good)]) == 0


def test_a_file_that_is_not_a_result_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"cases": []}))
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"nnfs-conform: {path}: not a result JSON: /: ") and "\n" not in err
