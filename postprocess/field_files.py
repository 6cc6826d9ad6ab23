"""Read the run folder's XDMF + HDF5 field files back as pyvista meshes (for notebooks).

DOLFINx writes one temporal collection per function (time = frequency in Hz, DC = 0) over one
mesh grid. Neither meshio's XDMF time-series reader (it expects a single collection holding
every attribute) nor the VTK wheel's readers (no Xdmf3 reader; the legacy XDMF reader crashes on
these files) read that layout, so the XML is walked here and the arrays are read with h5py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

# XDMF topology types as VTK cell type ids; DOLFINx writes XDMF cells in VTK's node order, so a
# curved (quadratic) mesh maps onto VTK's quadratic cells as it is
CELL_TYPES = {"Tetrahedron": 10, "Triangle": 5, "Tetrahedron_10": 24, "Triangle_6": 22}


def _dataset(folder: Path, item: ET.Element) -> np.ndarray:
    import h5py

    file, _, name = item.text.strip().partition(":")
    with h5py.File(folder / file, "r") as h5:
        return np.asarray(h5[name])


def field_times(path: Path) -> list[float]:
    """The times (frequencies in Hz) at which ``path`` holds fields, ascending."""
    root = ET.parse(path).getroot()
    return sorted({float(t.get("Value")) for t in root.iter("Time")})


def read_fields(path: Path, time: float):
    """The mesh of ``path`` with every function at the stored time closest to ``time``."""
    import pyvista as pv

    folder = path.parent
    domain = ET.parse(path).getroot().find("Domain")
    grids = domain.findall("Grid")
    mesh = next(g for g in grids if g.get("GridType") == "Uniform")
    topology = mesh.find("Topology")
    cells = _dataset(folder, topology.find("DataItem")).astype(np.int64)
    points = _dataset(folder, mesh.find("Geometry/DataItem"))
    kind = CELL_TYPES[topology.get("TopologyType")]
    grid = pv.UnstructuredGrid(
        np.column_stack([np.full(len(cells), cells.shape[1]), cells]).ravel(),
        np.full(len(cells), kind, dtype=np.uint8),
        points,
    )
    for collection in (g for g in grids if g.get("GridType") == "Collection"):
        steps = collection.findall("Grid")
        step = min(steps, key=lambda g: abs(float(g.find("Time").get("Value")) - time))
        for attribute in step.findall("Attribute"):
            values = _dataset(folder, attribute.find("DataItem"))
            values = values.reshape(len(values), -1).squeeze()
            target = grid.point_data if attribute.get("Center") == "Node" else grid.cell_data
            target[attribute.get("Name")] = values
    grid.field_data["frequency_Hz"] = [float(step.find("Time").get("Value"))]
    return grid
