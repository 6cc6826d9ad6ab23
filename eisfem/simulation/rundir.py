"""Run folders that are either complete or absent, and only ever eisfem's own.

A run writes into a hidden, marked sibling folder ``.<name>.partial-XXXX`` (see
:mod:`eisfem.core.owned`); when everything is written, the ``COMPLETE`` marker goes in last and
the folder is renamed to its final name in one step (an atomic rename on one file system). A
crash leaves at most a hidden partial folder, never a folder that looks finished; the next run
in the same parent folder removes such leftovers of dead processes. An earlier result is
replaced only if it is an eisfem run folder; anything else at ``--out`` is refused before the
run starts.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mpi4py import MPI

from eisfem.core import interrupt, owned
from eisfem.core.errors import EisfemError

MARKER = "COMPLETE"
KIND = "run"


def is_complete(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def _prepare(final: Path, keep: Iterable[Path]) -> tuple[Path | None, str | None]:
    """Check ``final``, clear dead leftovers beside it, make the partial folder (rank 0)."""
    try:
        final = owned.check_target(final, KIND, keep)
        tmp = owned.new_partial(final, KIND)
        owned.clean_stale(final.parent)
        return tmp, None
    except EisfemError as exc:
        return None, str(exc)


@contextmanager
def atomic_run_dir(
    final: Path, comm: MPI.Comm = MPI.COMM_WORLD, keep: Iterable[Path] = ()
) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``final`` only if the block finishes.

    ``keep`` are files the run reads (its config): ``final`` may not hold them. Refusals are
    raised on every rank alike (no rank is left waiting for another).
    """
    final = final.expanduser().resolve()
    tmp, error = _prepare(final, keep) if comm.rank == 0 else (None, None)
    tmp, error = comm.bcast((tmp, error), root=0)
    if error is not None:
        raise owned.OwnershipError(error)
    path = Path(tmp)
    try:
        yield path
        interrupt.check()  # a Ctrl-C that some finalizer swallowed must not publish the run
    except BaseException:
        if comm.rank == 0:
            shutil.rmtree(path, ignore_errors=True)
        raise
    comm.barrier()
    if comm.rank == 0:
        (path / MARKER).write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))
        owned.replace(final, path, KIND)
    comm.barrier()
