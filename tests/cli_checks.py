"""Shared check for the command line's error contract (used by test_cli.py and test_bad_input.py)."""

from click.testing import Result


def assert_cli_error(result: Result, *needles: str) -> str:
    """Exit code 2 and exactly one stderr line, starting with 'error:', holding every needle; no traceback."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]
