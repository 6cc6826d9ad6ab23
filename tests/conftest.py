"""Test-session setup for every tier: DOLFINx imported safely, collective teardown, and the
system tier (end to end) marked slow as a whole."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from mpi4py import MPI

import eisfem  # noqa: F401  (imports dolfinx_solver before dolfinx)

_approx = pytest.approx


def _relative_approx(expected, rel=None, abs=None, nan_ok=False):
    """pytest.approx, but a given ``rel`` is the whole tolerance: pytest adds abs = 1e-12 even
    then, which passes any comparison of quantities in SI units below ~1e-6 (areas of 1e-10 m²,
    volumes of 1e-13 m³, capacitances) whatever ``rel`` says. Give ``abs`` to compare with 0."""
    if rel is not None and abs is None:
        abs = 0.0
    return _approx(expected, rel=rel, abs=abs, nan_ok=nan_ok)


pytest.approx = _relative_approx


@pytest.fixture(autouse=True)
def _collective_teardown():
    """PETSc destructors can be collective: collect garbage on all ranks together."""
    yield
    gc.collect()
    MPI.COMM_WORLD.Barrier()


SYSTEM = Path(__file__).resolve().parent / "system"


# the session fixture of tests/system/conftest.py (one demo run) serves these files
DEMO_USERS = {"test_pipeline.py", "test_results.py", "test_api.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every end-to-end test is slow: `make test-fast` (-m "not slow") runs unit and fem.

    The suite runs on two xdist workers (`-n 2 --dist loadgroup`, pyproject.toml): each file
    is one group, so its module fixtures are built once, and the files that share the demo
    run are one group with every test that starts `mpiexec` (one of them compares with the
    demo), so the demo is run once and two MPI jobs never share the two cores."""
    for item in items:
        if item.path.is_relative_to(SYSTEM):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("mpi") or item.path.name in DEMO_USERS | {"test_mpi.py"}:
            group = "demo-and-mpi"
        else:
            group = str(item.path)
        item.add_marker(pytest.mark.xdist_group(group))
