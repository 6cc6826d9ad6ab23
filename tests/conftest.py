"""Shared fixtures: garbage collection on all ranks together after each test, small configs."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from mpi4py import MPI

import eisfem  # noqa: F401  (imports dolfinx_solver before dolfinx)


@pytest.fixture(autouse=True)
def _collective_teardown():
    """PETSc destructors can be collective: collect garbage on all ranks together."""
    yield
    gc.collect()
    MPI.COMM_WORLD.Barrier()


def nzsp(**extra: Any) -> dict[str, Any]:
    """An electrolyte material section (NZSP-like numbers)."""
    return {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}, **extra}
