"""`make test` hands the costliest file to a worker first (file_order.py)."""

from pathlib import Path

from file_order import BUILD_A_VENV, SHARED, costliest, scope_of


def queue(**tests: int) -> dict[str, list[str]]:
    return {name: [f"{name}::t{i}" for i in range(count)] for name, count in tests.items()}


def test_the_file_that_took_longest_goes_first_whatever_its_number_of_tests():
    remembered = {"many": [5.0, 400], "venv": [25.0, 1], "few": [1.0, 3]}
    assert costliest(queue(many=400, few=3, venv=1), remembered) == "venv"


def test_a_file_timed_in_a_partial_run_counts_for_all_its_tests_now():
    remembered = {"a": [1.0, 1], "b": [30.0, 100]}  # a: 1 s for the one test that ran
    assert costliest(queue(b=100, a=50), remembered) == "a"


def test_a_file_never_timed_goes_first_and_on_a_fresh_clone_the_order_is_xdists():
    assert costliest(queue(old=10, new=1), {"old": [60.0, 10]}) == "new"
    assert costliest(queue(first=10, second=20), {}) == "first"


def test_on_a_fresh_clone_the_files_that_build_a_venv_go_first():
    fresh = {"tests/test_variants.py": 700, "tests/test_install.py": 2, "tests/test_x.py": 1}
    assert costliest(queue(**fresh), {}) == "tests/test_install.py"
    timed = {"tests/test_install.py": [15.0, 2], "tests/test_variants.py": [60.0, 700]}
    assert costliest(queue(**fresh), timed) == "tests/test_x.py"  # never timed: first
    timed["tests/test_x.py"] = [0.1, 1]
    assert costliest(queue(**fresh), timed) == "tests/test_variants.py"  # all timed: by seconds


def test_the_files_that_build_a_venv_are_files_of_the_suite():
    tests = Path(__file__).parent
    assert {f"tests/{p.name}" for p in tests.glob("test_*.py")} >= BUILD_A_VENV


def test_a_remembered_figure_that_is_not_seconds_and_tests_counts_as_never_timed():
    remembered = {"a": [1.0, 10], "b": "fast", "c": [None, 3], "d": [2.0]}
    assert costliest(queue(a=10, b=1), remembered) == "b"
    assert costliest(queue(a=10, c=1), remembered) == "c"
    assert costliest(queue(a=10, d=1), remembered) == "d"


def test_the_files_that_share_the_variants_answers_are_one_unit():
    scopes = {
        scope_of(f"tests/{name}.py::test_x[1]")
        for name in ("test_mistakes", "test_sharpness", "test_soundness", "test_discrimination")
    }
    assert scopes == {SHARED}
    assert scope_of("tests/test_vectors.py::test_y") == "tests/test_vectors.py"
