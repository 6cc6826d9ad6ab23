"""Test-session setup for every tier: DOLFINx imported safely, collective teardown, and the
system tier (end to end) marked slow as a whole."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from mpi4py import MPI

import eisfem  # noqa: F401  (imports dolfinx_solver before dolfinx)


@pytest.fixture(autouse=True)
def _collective_teardown():
    """PETSc destructors can be collective: collect garbage on all ranks together."""
    yield
    gc.collect()
    MPI.COMM_WORLD.Barrier()


SYSTEM = Path(__file__).resolve().parent / "system"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every end-to-end test is slow: `make test-fast` (-m "not slow") runs unit and fem."""
    for item in items:
        if item.path.is_relative_to(SYSTEM):
            item.add_marker(pytest.mark.slow)
