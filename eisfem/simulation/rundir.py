"""Run folders that are either complete or absent.

A run writes into a hidden sibling folder ``.<name>.partial-XXXX``; only when everything is
written is that folder renamed to its final name (an atomic rename on one file system), and
then a ``COMPLETE`` marker is written last. A crash leaves at most a hidden partial folder, never
a folder that looks finished; a re-run removes such leftovers and replaces an earlier result as a
whole.
"""

from __future__ import annotations

import glob
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mpi4py import MPI

MARKER = "COMPLETE"


def is_complete(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def remove_leftovers(final: Path) -> None:
    """Delete the hidden folders a killed earlier attempt at ``final`` left behind.

    A process killed with SIGKILL (or a node that died) cannot clean up, so its
    ``.<name>.partial-*`` (and a ``.<name>.old-*`` caught mid-replacement) stay; the next
    run of the same folder removes them. Only one run may write a given folder at a time.
    """
    name = glob.escape(final.name)
    for pattern in (f".{name}.partial-*", f".{name}.old-*"):
        for leftover in final.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def atomic_run_dir(final: Path, comm: MPI.Comm = MPI.COMM_WORLD) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``final`` only if the block finishes."""
    final = final.resolve()
    tmp: str | None = None
    if comm.rank == 0:
        final.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(final)
        tmp = tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent)
    path = Path(comm.bcast(tmp, root=0))
    try:
        yield path
    except BaseException:
        if comm.rank == 0:
            shutil.rmtree(path, ignore_errors=True)
        raise
    comm.barrier()
    if comm.rank == 0:
        old = None
        if final.exists():
            old = final.parent / f".{final.name}.old-{time.time_ns()}"
            final.rename(old)
        path.rename(final)
        (final / MARKER).write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    comm.barrier()
