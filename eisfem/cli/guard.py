"""How a command ends when something goes wrong: one line on stderr, an exit status, no hang.

- a user's mistake (EisfemError, or an OSError naming a path: no permission, no such folder,
  a file where a folder should be) → ``eisfem: error: ...``, status 2;
- Ctrl-C → ``eisfem: interrupted``, status 130 (128 + SIGINT, as shells report it), and no
  run folder is published after it even if a finalizer swallowed it (:mod:`eisfem.core.interrupt`);
- anything else is a bug → one line naming the exception, status 1; ``EISFEM_DEBUG=1`` shows
  the traceback instead.

Under MPI an exception may happen on one rank only (a full disk on one node, a bug in a branch
one rank takes) while the others wait in a collective call for ever. So with more than one
rank, the failing rank prints its line and calls ``MPI_Abort``, which ends every rank and makes
``mpiexec`` exit with the status. When every rank fails alike (a bad config), rank 0 speaks and
aborts at once; any other rank first waits ``PEER_GRACE`` seconds for rank 0's abort to end it,
so the user sees one line, not one per rank. MPICH's own "application called MPI_Abort" line is
silenced: the eisfem line already says what happened.

A rank's stderr is a pipe to MPICH's process manager, and an abort that reaches the manager
before it has read that pipe loses the line (about 1 run in 30 lost it on an idle machine). So
the failing rank waits until the manager has read the pipe empty (``FIONREAD``), at most
``DRAIN_LIMIT`` seconds, before it aborts; the manager forwards what it read before it handles
the abort.
"""

from __future__ import annotations

import array
import fcntl
import os
import sys
import termios
import time
from collections.abc import Callable

from mpi4py import MPI

from eisfem.config.loading import printable
from eisfem.core import interrupt
from eisfem.core.errors import ConfigError, EisfemError

DEBUG = "EISFEM_DEBUG"
PEER_GRACE = 2.0  # seconds a rank > 0 waits for rank 0 to abort before it speaks itself
DRAIN_LIMIT = 1.0  # seconds a failing rank waits at most for its stderr line to be read


def describe(exc: BaseException) -> tuple[int, str]:
    """The exit status and the one line for an exception that ended a command."""
    if isinstance(exc, KeyboardInterrupt):
        return 130, "eisfem: interrupted"
    if isinstance(exc, ConfigError):  # one line per problem of the config
        return 2, "eisfem: error: " + "\n".join(printable(p) for p in str(exc).split("\n"))
    if isinstance(exc, EisfemError):
        return 2, printable(f"eisfem: error: {exc}")
    if isinstance(exc, TimeoutError) and "JIT" in str(exc):
        return 2, (
            "eisfem: error: the DOLFINx JIT cache holds a compilation lock of another process "
            f"({exc}); if no other eisfem runs, delete that file"
        )
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return 2, printable(f"eisfem: error: {where}{exc.strerror}")
    if isinstance(exc, MemoryError):
        return 1, "eisfem: error: out of memory (see `eisfem validate` for the estimate)"
    return 1, printable(
        f"eisfem: internal error: {type(exc).__name__}: {exc} "
        f"(a bug: please report it; {DEBUG}=1 shows the traceback)"
    )


def guarded(command: Callable[[], int], comm: MPI.Comm = MPI.COMM_WORLD) -> int:
    """Run ``command`` and return its status, or end as this module's docstring says."""
    interrupt.install()
    try:
        return command()
    except (Exception, KeyboardInterrupt) as exc:
        if os.environ.get(DEBUG) and not isinstance(exc, KeyboardInterrupt | EisfemError):
            raise
        code, line = describe(exc)
        if comm.size > 1 and comm.rank != 0:
            time.sleep(PEER_GRACE)
        print(line, file=sys.stderr, flush=True)
        if comm.size == 1:
            return code
        wait_until_read(sys.stderr.fileno(), DRAIN_LIMIT)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
        comm.Abort(code)
        return code  # not reached


def wait_until_read(fd: int, limit: float) -> None:
    """Wait until the reader of the pipe ``fd`` has taken all that was written to it, at most
    ``limit`` seconds; return at once when ``fd`` is no pipe (a file, a terminal)."""
    unread = array.array("i", [0])
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        try:
            fcntl.ioctl(fd, termios.FIONREAD, unread, True)
        except OSError:
            return
        if unread[0] == 0:
            return
        time.sleep(0.005)
