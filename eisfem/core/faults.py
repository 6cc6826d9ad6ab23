"""A test-only hook that makes one MPI rank fail at a named point of a run.

``EISFEM_TEST_FAULT=rank1:after_mesh`` raises a RuntimeError on rank 1 right after meshing, as a
bug or a full disk on one node would; the tests use it to check that an exception on one rank
ends every rank (see :mod:`eisfem.cli.guard`). Unset (always, outside the tests) it does nothing.
"""

from __future__ import annotations

import os

ENV = "EISFEM_TEST_FAULT"


def fault_point(name: str, rank: int) -> None:
    """Raise RuntimeError if ``$EISFEM_TEST_FAULT`` is ``rank<rank>:<name>``."""
    if os.environ.get(ENV) == f"rank{rank}:{name}":
        raise RuntimeError(f"injected fault at {name} on rank {rank} ({ENV})")
