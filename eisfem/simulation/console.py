"""Messages for the user: rank 0 only under MPI, silent with --quiet, timed stages.

Long stages show a live display on a terminal (and in Jupyter, with ipywidgets installed): a
spinner with the elapsed time for each stage. Off a terminal (CI logs, batch jobs) and in
Jupyter without ipywidgets only the stage lines are printed.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from mpi4py import MPI
from rich.console import Console as RichConsole
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


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

    def _live_capable(self) -> bool:
        """A terminal, or Jupyter with ipywidgets (rich draws live displays in a widget there;
        without it, Jupyter gets the stage lines only)."""
        if self._rich.is_terminal:
            return True
        return self._rich.is_jupyter and importlib.util.find_spec("ipywidgets") is not None

    def info(self, message: str) -> None:
        if self.enabled:
            self._rich.print(message)

    @contextmanager
    def _display(self) -> Iterator[Progress | None]:
        """The live display (rich allows one at a time): nested stages share it."""
        if not (self.enabled and self._live_capable()) or self._live is not None:
            yield self._live
            return
        self._live = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
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
            task = None if live is None else live.add_task(name, total=None)
            try:
                yield
            finally:
                if task is not None:
                    live.remove_task(task)
        self.timings[name] = time.perf_counter() - t0
        self.info(f"  {name} done in {self.timings[name]:.1f} s")
