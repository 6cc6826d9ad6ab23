"""ParaView files: XDMF + HDF5, which Debian's ParaView 5.11 opens with its Xdmf3 readers.

Two files, because ParaView 5.11 drops mesh tags from an XDMF file that also holds a time
series: ``mesh_tags.xdmf`` (cell tags = volumes, facet tags = surfaces of the tag contract) and
``fields.xdmf`` (real arrays at each output frequency, with the frequency in Hz as the time
value and DC at time 0). VTX (.bp, BP5) and VTKHDF 2.2 were rejected: ParaView 5.11 cannot read
them.
"""

from __future__ import annotations

from pathlib import Path

from dolfinx.io import XDMFFile

from eisfem.geometry.mesh import MeshBundle
from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.system import Solution

TAGS_FILE = "mesh_tags.xdmf"
FIELDS_FILE = "fields.xdmf"


def write_tags(bundle: MeshBundle, folder: Path) -> Path:
    path = folder / TAGS_FILE
    mesh = bundle.mesh
    bundle.cell_tags.name = "volume"
    bundle.facet_tags.name = "surface"
    mesh.topology.create_connectivity(2, 3)
    with XDMFFile(mesh.comm, str(path), "w", encoding=XDMFFile.Encoding.HDF5) as xf:
        xf.write_mesh(mesh)
        xf.write_meshtags(bundle.cell_tags, mesh.geometry)
        xf.write_meshtags(bundle.facet_tags, mesh.geometry)
    return path


def write_fields(spaces: FieldSpaces, solutions: list[Solution], folder: Path) -> Path:
    """Write the fields of ``solutions`` with time = frequency (Hz), in increasing order."""
    path = folder / FIELDS_FILE
    mesh = spaces.system.bundle.mesh
    with XDMFFile(mesh.comm, str(path), "w", encoding=XDMFFile.Encoding.HDF5) as xf:
        xf.write_mesh(mesh)
        for sol in sorted(solutions, key=lambda s: s.omega):
            frequency = sol.omega / (2 * 3.141592653589793)
            for f in spaces.compute(sol):
                xf.write_function(f, frequency)
    return path
