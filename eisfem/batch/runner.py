"""Run the cases of a sweep on this machine, several at a time, resuming where it stopped.

Each case runs as its own ``python -m eisfem run CASE.yaml`` process, never as a fork of this
one (DOLFINx, PETSc and MPI do not survive a fork), and exactly as a Slurm array task runs it,
so both paths share one meaning of "done": the case's run folder is complete (its COMPLETE
marker is written last, after an atomic rename). A re-run skips complete cases and runs the
rest again; a failed case keeps its log, whose error line goes into the table, and the sweep
goes on. The case processes are told to die with the runner (Linux ``PR_SET_PDEATHSIG``), so a
killed runner leaves no orphan writing into the folder while a re-run starts; a lock file keeps
two runners out of one folder.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from eisfem.batch.sweep import Case, Sweep
from eisfem.batch.sweepdir import COMPLETE, FAILED, SweepDir, error_line
from eisfem.core.errors import EisfemError
from eisfem.simulation.rundir import is_complete

POLL_SECONDS = 0.1
PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


@dataclass(frozen=True)
class Outcome:
    case: Case
    status: str  # complete | failed | skipped (complete before this run)
    seconds: float = 0.0
    error: str = ""


def _die_with_parent(parent: int) -> None:
    """In the child before exec: get SIGKILL when the runner dies (and not start if it has)."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def case_command(folder: SweepDir, case_id: str) -> list[str]:
    """The command that runs one case: the same ``eisfem run`` a user or a Slurm task runs."""
    return [
        sys.executable,
        "-m",
        "eisfem",
        "run",
        str(folder.config(case_id)),
        "--out",
        str(folder.run(case_id)),
        "--quiet",
    ]


def _child_env(workers: int) -> dict[str, str]:
    """Split the cores between the cases: threaded BLAS/OpenMP in each would oversubscribe."""
    env = dict(os.environ)
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    env.setdefault("OMP_NUM_THREADS", threads)
    env.setdefault("OPENBLAS_NUM_THREADS", threads)
    return env


@contextmanager
def _exclusive(folder: SweepDir) -> Iterator[None]:
    """Hold ``DIR/.lock`` while running; the kernel drops it when the process dies."""
    with open(folder.root / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EisfemError(f"{folder.root}: another eisfem sweep is running here") from None
        yield


@dataclass
class _Running:
    case: Case
    process: subprocess.Popen
    started: float


def _finish(folder: SweepDir, job: _Running) -> Outcome:
    seconds = time.perf_counter() - job.started
    code = job.process.returncode
    if code == 0 and is_complete(folder.run(job.case.id)):
        return Outcome(job.case, COMPLETE, seconds)
    if code < 0:
        with folder.log(job.case.id).open("a") as log:
            log.write(f"\nkilled by signal {signal.Signals(-code).name}\n")
    elif code == 0:
        with folder.log(job.case.id).open("a") as log:
            log.write("\nexited without completing its run folder\n")
    return Outcome(job.case, FAILED, seconds, error_line(folder.log(job.case.id)))


def run_sweep(
    sweep: Sweep, folder: SweepDir, workers: int = 1, console: Console | None = None
) -> list[Outcome]:
    """Run every case that is not complete, ``workers`` at a time; return one outcome each."""
    if workers < 1:
        raise EisfemError(f"--workers must be >= 1 (got {workers})")
    folder.claim(sweep)  # a new marked folder, or one that may hold this sweep
    with _exclusive(folder):
        folder.prepare(sweep)
        done = [Outcome(c, "skipped") for c in sweep.cases if is_complete(folder.run(c.id))]
        todo = deque(c for c in sweep.cases if not is_complete(folder.run(c.id)))
        return done + _schedule(folder, todo, len(sweep.cases), workers, console)


def _schedule(
    folder: SweepDir, todo: deque[Case], total: int, workers: int, console: Console | None
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    running: list[_Running] = []
    env = _child_env(workers)
    parent = os.getpid()
    progress = Progress(
        TextColumn("[bold]sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[state]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=console is None,
        auto_refresh=False,  # no refresh thread: the children are forked from this thread only
    )
    task = progress.add_task("sweep", total=total, completed=total - len(todo), state="")
    try:
        with progress:
            while todo or running:
                while todo and len(running) < workers:
                    case = todo.popleft()
                    with folder.log(case.id).open("w") as log:
                        process = subprocess.Popen(
                            case_command(folder, case.id),
                            stdin=subprocess.DEVNULL,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            env=env,
                            preexec_fn=lambda: _die_with_parent(parent),
                        )
                    running.append(_Running(case, process, time.perf_counter()))
                time.sleep(POLL_SECONDS)
                for job in [j for j in running if j.process.poll() is not None]:
                    running.remove(job)
                    outcome = _finish(folder, job)
                    outcomes.append(outcome)
                    progress.advance(task)
                    if console is not None:
                        _report(progress.console, outcome)
                failed = sum(o.status == FAILED for o in outcomes)
                state = f"running {len(running)}" + (f", [red]failed {failed}" if failed else "")
                progress.update(task, state=state)
                progress.refresh()
    except BaseException:
        for job in running:
            job.process.terminate()
        for job in running:
            job.process.wait()
        raise
    return outcomes


def _report(console: Console, outcome: Outcome) -> None:
    case = outcome.case
    if outcome.status == COMPLETE:
        console.print(f"[green]done[/green] {case.id} ({case.label()}) {outcome.seconds:.1f} s")
    else:
        console.print(f"[red]failed[/red] {case.id} ({case.label()}): {outcome.error}")
