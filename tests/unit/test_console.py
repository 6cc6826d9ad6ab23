"""Console stages: a live display on a terminal, silent with --quiet and on ranks other than 0."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

from eisfem.simulation.console import RunConsole


def run_steps(console: RunConsole) -> None:
    with console.stage("sweep"):
        console._rich.print("working")  # output while the live display is up


def test_live_display_on_a_terminal():
    out = io.StringIO()
    console = RunConsole(file=out, terminal=True)
    run_steps(console)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())  # drop terminal codes
    assert "sweep ..." in text and "sweep done in" in text
    assert re.search(r"sweep +\d+:\d\d:\d\d", text)  # the live spinner line with elapsed time
    assert "sweep" in console.timings


def test_no_live_display_off_a_terminal():
    out = io.StringIO()
    run_steps(RunConsole(file=out, terminal=False))
    lines = out.getvalue().splitlines()
    assert lines[0] == "sweep ..." and lines[2].startswith("  sweep done in")
    assert len(lines) == 3  # stage lines and the message only: no live display in logs


def test_quiet_and_other_ranks_print_nothing():
    for console in (
        RunConsole(quiet=True, file=io.StringIO(), terminal=True),
        RunConsole(comm=SimpleNamespace(rank=1), file=io.StringIO(), terminal=True),
    ):
        with console.stage("sweep"):
            pass
        assert console._rich.file.getvalue() == ""
        assert "sweep" in console.timings  # stages are still timed for summary.json
