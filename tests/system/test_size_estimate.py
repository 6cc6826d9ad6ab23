"""The cell estimate of `eisfem validate` against the meshes gmsh makes, on every example.

The estimate integrates the size field over the built (unmeshed) geometry with one calibrated
constant (see eisfem.geometry.cell_count); the issue asks for a factor 1.5 on the examples.
Meshing all of them takes a minute, hence slow. Memory is compared in bench/size_estimate.py
(it needs whole runs).
"""

from __future__ import annotations

import gmsh
import pytest

from eisfem.config import load_config
from eisfem.geometry.cell_count import expected_cells
from eisfem.geometry.mesh import generate
from eisfem.simulation.model import geometry_spec
from tests.helpers import CONFIGS

pytestmark = pytest.mark.slow

EXAMPLES = sorted(
    p for p in CONFIGS.glob("*.yaml") if not p.name.startswith(("sweep", "volume_image"))
)  # image stacks: meshed from voxels, no size-field estimate


def meshed_cells(spec) -> int:
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        return generate(spec)[1]["cells"]
    finally:
        gmsh.finalize()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_estimated_cells_within_a_factor_1_5(path):
    spec = geometry_spec(load_config(path))
    estimate, actual = expected_cells(spec), meshed_cells(spec)
    print(f"{path.stem}: estimated {estimate:.0f} cells, meshed {actual}: {estimate / actual:.2f}")
    assert 1 / 1.5 < estimate / actual < 1.5
