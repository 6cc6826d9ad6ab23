"""Messages for the user: rank 0 only under MPI, silent with --quiet, timed stages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from mpi4py import MPI
from rich.console import Console as RichConsole


class Console:
    def __init__(self, quiet: bool = False, comm: MPI.Comm = MPI.COMM_WORLD):
        self.enabled = not quiet and comm.rank == 0
        self._rich = RichConsole(stderr=True, highlight=False)
        self.timings: dict[str, float] = {}

    def info(self, message: str) -> None:
        if self.enabled:
            self._rich.print(message)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Announce a stage, time it and record the time under ``name``."""
        self.info(f"[bold]{name}[/bold] ...")
        t0 = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - t0
        self.info(f"  {name} done in {self.timings[name]:.1f} s")
