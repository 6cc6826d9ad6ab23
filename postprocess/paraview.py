"""ParaView files: XDMF + HDF5, which Debian's ParaView 5.11 opens with its Xdmf3 readers.

Two files, because ParaView 5.11 drops mesh tags from an XDMF file that also holds a time
series: ``mesh_tags.xdmf`` (cell tags = volumes, facet tags = surfaces of the tag contract) and
``fields.xdmf`` (real arrays at each output frequency, with the frequency in Hz as the time
value and DC at time 0). VTX (.bp, BP5) and VTKHDF 2.2 were rejected: ParaView 5.11 cannot read
them.

DOLFINx leaves the number type of float data items undeclared, which XDMF defines as 4-byte
floats: ParaView then reads the float64 HDF5 data as float32. Both files are therefore patched
to declare ``Precision="8"``, so ParaView shows the solver's values to the last digit.

Each ``write_function`` call becomes its own unnamed block (Block0, Block1, ... in write order)
in ParaView, so the run folder also gets ``open_in_paraview.py``: a pvpython/GUI script that
opens both files with the Xdmf3 reader (the legacy XDMF reader crashes on them), joins the
blocks into one grid holding every array, names the surface tags, and shows the contact
pattern with |j| on a cross-section.
"""

from __future__ import annotations

import re
from pathlib import Path

from dolfinx.io import XDMFFile

from eisfem.geometry import tags
from eisfem.geometry.mesh import MeshBundle
from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.system import Solution

TAGS_FILE = "mesh_tags.xdmf"
FIELDS_FILE = "fields.xdmf"
SCRIPT_FILE = "open_in_paraview.py"
_UNTYPED_ITEM = re.compile(r'<DataItem Dimensions="([0-9 ]+)" Format="HDF">')


def declare_float64(path: Path) -> None:
    """Declare DOLFINx's untyped (float64) HDF5 data items as 8-byte floats (rank 0 only)."""
    text = path.read_text()
    path.write_text(
        _UNTYPED_ITEM.sub(
            r'<DataItem Dimensions="\1" NumberType="Float" Precision="8" Format="HDF">', text
        )
    )


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
    if mesh.comm.rank == 0:
        declare_float64(path)
    return path


def write_fields(spaces: FieldSpaces, solutions: list[Solution], folder: Path) -> Path:
    """Write the fields of ``solutions`` with time = frequency (Hz), in increasing order.

    Also writes the ParaView script that opens them (rank 0).
    """
    path = folder / FIELDS_FILE
    mesh = spaces.system.bundle.mesh
    names: list[str] = []
    with XDMFFile(mesh.comm, str(path), "w", encoding=XDMFFile.Encoding.HDF5) as xf:
        xf.write_mesh(mesh)
        for sol in sorted(solutions, key=lambda s: s.omega):
            frequency = sol.omega / (2 * 3.141592653589793)
            functions = spaces.compute(sol)
            names = [f.name for f in functions]
            for f in functions:
                xf.write_function(f, frequency)
    if mesh.comm.rank == 0:
        declare_float64(path)
        write_script(folder, names, spaces.system.bundle.groups)
    return path


def write_script(folder: Path, arrays: list[str], groups: dict[str, int]) -> Path:
    """``open_in_paraview.py``: the arrays in block order and the surface names are baked in."""
    surfaces = {tag: name for name, tag in groups.items() if name in tags.SURFACE_GROUPS}
    text = (
        SCRIPT.replace("@ARRAYS@", repr(arrays))
        .replace("@SURFACES@", repr(surfaces))
        .replace("@FIELDS@", FIELDS_FILE)
        .replace("@TAGS@", TAGS_FILE)
    )
    path = folder / SCRIPT_FILE
    path.write_text(text)
    return path


SCRIPT = '''"""Open this run in ParaView 5.11 or newer.

GUI:   paraview --script=open_in_paraview.py      (run it from this folder)
Batch: pvpython open_in_paraview.py --screenshot view.png
       (rendering needs an X display; headless: xvfb-run -a pvpython open_in_paraview.py ...)

Pipeline objects it creates:
  fields.xdmf      Xdmf3ReaderT; time = frequency in Hz, 0 = DC
  fields           every array on one grid (the file holds one block per array)
  mesh_tags.xdmf   Xdmf3ReaderT with blocks mesh, volume (cell tags), surface (facet tags)
  surface tags     the facet tags (coloured by name: the contact pattern), back half shown
  section          a cut through the centre (normal y) of `fields`, coloured by j_abs at DC
"""

import os
import sys

from paraview.simple import (
    AppendAttributes,
    Clip,
    ColorBy,
    ExtractBlock,
    GetActiveViewOrCreate,
    GetAnimationScene,
    GetColorTransferFunction,
    MergeBlocks,
    Render,
    RenameSource,
    SaveScreenshot,
    Show,
    Slice,
    Xdmf3ReaderT,
)

ARRAYS = @ARRAYS@  # fields.xdmf: one block per array, in this order
SURFACES = @SURFACES@  # facet tag value -> surface name
PALETTE = [(0.9, 0.6, 0.0), (0.35, 0.7, 0.9), (0.0, 0.6, 0.5), (0.8, 0.8, 0.8), (0.8, 0.4, 0.7)]

here = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.getcwd()
fields_file = Xdmf3ReaderT(registrationName="@FIELDS@", FileName=[os.path.join(here, "@FIELDS@")])
selectors = [f"/Root/Block{i}" for i, _ in enumerate(ARRAYS)]
blocks = [ExtractBlock(Input=fields_file, Selectors=[s]) for s in selectors]
fields = MergeBlocks(Input=AppendAttributes(Input=blocks))
RenameSource("fields", fields)
tags_file = Xdmf3ReaderT(registrationName="@TAGS@", FileName=[os.path.join(here, "@TAGS@")])
surface = ExtractBlock(Input=tags_file, Selectors=["/Root/surface"])
RenameSource("surface tags", surface)

view = GetActiveViewOrCreate("RenderView")
scene = GetAnimationScene()
scene.UpdateAnimationUsingDataTimeSteps()
scene.AnimationTime = 0.0  # DC

fields.UpdatePipeline(0.0)
bounds = fields.GetDataInformation().GetBounds()
centre = [(bounds[2 * k] + bounds[2 * k + 1]) / 2 for k in range(3)]
back = Clip(Input=surface, ClipType="Plane")  # the back half of the surfaces, behind the section
back.ClipType.Origin = centre
back.ClipType.Normal = [0.0, 1.0, 0.0]
back.Invert = 0  # keep y > centre
RenameSource("surface tags (back half)", back)
shown = Show(back, view)
ColorBy(shown, ("CELLS", "surface"))
lut = GetColorTransferFunction("surface")
lut.InterpretValuesAsCategories = 1
lut.Annotations = [str(v) for pair in sorted(SURFACES.items()) for v in pair]
lut.IndexedColors = [c for k, _ in enumerate(SURFACES) for c in PALETTE[k % len(PALETTE)]]
shown.SetScalarBarVisibility(view, True)

section = Slice(Input=fields)
section.SliceType = "Plane"
section.SliceType.Origin = centre
section.SliceType.Normal = [0.0, 1.0, 0.0]
RenameSource("section", section)
cut = Show(section, view)
ColorBy(cut, ("CELLS", "j_abs"))
cut.RescaleTransferFunctionToDataRange(True, False)
cut.SetScalarBarVisibility(view, True)

view.CameraFocalPoint = centre
view.CameraPosition = [centre[0], bounds[2] - 2.5 * (bounds[3] - bounds[2]), bounds[5] * 3.0]
view.CameraViewUp = [0.0, 0.0, 1.0]
view.ResetCamera()
Render(view)

if "--screenshot" in sys.argv:
    SaveScreenshot(sys.argv[sys.argv.index("--screenshot") + 1], view, ImageResolution=[1000, 700])
'''
