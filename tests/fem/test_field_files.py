"""postprocess/field_files.py reads DOLFINx's XDMF time series back as pyvista meshes."""

from __future__ import annotations

import numpy as np
import pytest
from dolfinx import fem, mesh
from dolfinx.io import XDMFFile
from mpi4py import MPI

from eisfem.postprocess.field_files import field_times, read_fields

pytestmark = pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="reads a serial file layout")


def test_nodal_and_cell_fields_at_the_nearest_time(tmp_path):
    domain = mesh.create_unit_cube(MPI.COMM_WORLD, 2, 2, 3)
    nodal = fem.Function(fem.functionspace(domain, ("Lagrange", 1)), dtype=np.float64, name="u")
    cells = fem.Function(fem.functionspace(domain, ("DG", 0)), dtype=np.float64, name="c")
    laws = {0.0: lambda x: x[0] + 2 * x[1], 5e6: lambda x: 3 * x[2]}
    path = tmp_path / "fields.xdmf"
    with XDMFFile(domain.comm, str(path), "w") as xf:
        xf.write_mesh(domain)
        for t, law in laws.items():
            nodal.interpolate(law)
            cells.x.array[:] = t + np.arange(cells.x.array.size)
            xf.write_function(nodal, t)
            xf.write_function(cells, t)
    assert field_times(path) == [0.0, 5e6]
    grid = read_fields(path, 4e6)  # nearest stored time: 5 MHz
    assert grid.field_data["frequency_Hz"][0] == 5e6
    assert grid.n_cells == domain.topology.index_map(3).size_local
    np.testing.assert_allclose(grid.points, domain.geometry.x)
    np.testing.assert_allclose(grid.point_data["u"], 3 * grid.points[:, 2], atol=1e-14)
    np.testing.assert_array_equal(grid.cell_data["c"], 5e6 + np.arange(grid.n_cells))
    dc = read_fields(path, 0.0)
    np.testing.assert_allclose(
        dc.point_data["u"], dc.points[:, 0] + 2 * dc.points[:, 1], atol=1e-14
    )
