"""Messages for the user: rank 0 only under MPI, silent with --quiet, timed stages.

Long stages show a live display on a terminal: a spinner with the elapsed time for each stage,
and a bar for loops of known length (frequencies, sweep cases). Any loop reports through
:meth:`Console.progress`, which yields an ``advance(note)`` callback, so a solver's sweep needs
no knowledge of rich. Off a terminal (CI logs, batch jobs) only the stage lines are printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from mpi4py import MPI
from rich.console import Console as RichConsole
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

Advance = Callable[..., None]


class _Count(ProgressColumn):
    """ "done/total" for bars; nothing for open-ended stages."""

    def render(self, task: Task) -> Text:
        return Text("" if task.total is None else f"{task.completed:.0f}/{task.total:.0f}")


def _nothing(note: str = "") -> None:
    """The advance callback of a disabled console."""


class RunConsole:
    def __init__(
        self,
        quiet: bool = False,
        comm: MPI.Comm = MPI.COMM_WORLD,
        file: IO[str] | None = None,
        terminal: bool | None = None,
    ):
        """Print to stderr (or ``file``); ``terminal`` forces live displays on or off."""
        self.enabled = not quiet and comm.rank == 0
        self._rich = RichConsole(
            stderr=file is None, file=file, force_terminal=terminal, highlight=False
        )
        self.timings: dict[str, float] = {}
        self._live: Progress | None = None

    def info(self, message: str) -> None:
        if self.enabled:
            self._rich.print(message)

    @contextmanager
    def _display(self) -> Iterator[Progress | None]:
        """The live display (rich allows one at a time): nested stages and bars share it."""
        if not (self.enabled and self._rich.is_terminal) or self._live is not None:
            yield self._live
            return
        self._live = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            _Count(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[note]}"),
            console=self._rich,
            transient=True,
        )
        try:
            with self._live:
                yield self._live
        finally:
            self._live = None

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Announce a stage, show it while it runs, time it and record the time under ``name``."""
        self.info(f"[bold]{name}[/bold] ...")
        t0 = time.perf_counter()
        with self._display() as live:
            task = None if live is None else live.add_task(name, total=None, note="")
            try:
                yield
            finally:
                if task is not None:
                    live.remove_task(task)
        self.timings[name] = time.perf_counter() - t0
        self.info(f"  {name} done in {self.timings[name]:.1f} s")

    @contextmanager
    def progress(self, description: str, total: int) -> Iterator[Advance]:
        """A bar of ``total`` steps; yields ``advance(note="")``, to be called after each step.

        Safe to call on every MPI rank and with --quiet: the callback then does nothing.
        """
        with self._display() as live:
            if live is None:
                yield _nothing
                return
            task = live.add_task(description, total=total, note="")

            def advance(note: str = "") -> None:
                live.update(task, advance=1, note=note)

            try:
                yield advance
            finally:
                live.remove_task(task)
