"""converter/up/process.py: running local tools, with real processes."""

from __future__ import annotations

import sys

import pytest

from converter.up.process import ToolError, capture, run


def test_run_streams_lines_and_returns_them() -> None:
    seen: list[str] = []
    lines = run([sys.executable, "-c", "print('one'); print(''); print('two')"], what="printing", on_line=seen.append)
    assert seen == ["one", "two"]
    assert lines == ["one", "", "two"]


def test_a_failing_tool_is_a_tool_error_quoting_its_last_lines() -> None:
    script = "import sys\nfor i in range(40): print(f'line {i}')\nsys.exit(3)"
    with pytest.raises(ToolError) as caught:
        run([sys.executable, "-c", script], what="counting", hint="count less")
    text = str(caught.value)
    assert text.startswith("counting failed (")
    assert "exited 3" in text and "| line 39" in text and "| line 14" not in text  # the last 25 lines
    assert text.endswith("(count less)")


def test_a_missing_tool_says_which() -> None:
    with pytest.raises(ToolError, match="no-such-tool-kubemap is not installed"):
        run(["no-such-tool-kubemap"], what="trying")
    assert capture(["no-such-tool-kubemap"])[0] == 127


def test_stdin_from_pipes_one_command_into_another() -> None:
    lines = run([sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"], what="shouting",
                stdin_from=[sys.executable, "-c", "print('quiet')"])
    assert lines == ["QUIET", ""]


def test_a_failing_feeder_fails_the_pipe() -> None:
    with pytest.raises(ToolError, match="exited 4"):
        run([sys.executable, "-c", "import sys; sys.stdin.read()"], what="piping",
            stdin_from=[sys.executable, "-c", "import sys; sys.exit(4)"])
