"""Config sections for geometry that users bring: their own volume mesh (`cell.shape: mesh`)
and a segmented 3D image stack (`interface.kind: volume_image`).

Each section turns itself into the plain spec the geometry layer takes (``spec()``), so the
geometry modules never see the config. Paths are resolved against the config file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from eisfem.config.base import Model
from eisfem.config.units import Length, quantity
from eisfem.geometry import tags
from eisfem.geometry.image_stack.stack import StackSpec
from eisfem.geometry.user_mesh.spec import UserMeshSpec

Area = quantity("m^2", gt=0, example="1 mm^2")
Tags = Annotated[list[int | str], Field(min_length=1)]
VolumeRole = Literal["electrolyte", "pore", "interphase"]
SurfaceRole = Literal[tags.SURFACE_GROUPS]  # type: ignore[valid-type]


def resolve_path(value: str, info: ValidationInfo, suffixes: tuple[str, ...], folder: bool) -> str:
    """An existing file (or, if ``folder``, a directory) relative to the config's folder."""
    path = Path(value).expanduser()
    base = (info.context or {}).get("config_dir")
    if not path.is_absolute():
        path = (Path(base) if base else Path.cwd()) / path
    if folder and path.is_dir():
        return str(path.resolve())
    if path.suffix.lower() not in suffixes:
        kinds = ", ".join(suffixes) + (" or a folder of .png slices" if folder else "")
        raise ValueError(f"must be a {kinds} file (got {value!r})")
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    return str(path.resolve())


def _as_list(value: object) -> object:
    return value if isinstance(value, list) else [value]


class MeshCell(Model):
    """A user's own tetrahedral volume mesh, in any format meshio reads (Gmsh .msh, VTU, MED,
    Abaqus .inp, ...), with its regions mapped onto eisfem's roles.

    `volumes` maps electrolyte / pore / interphase to region tags (numbers from the cell data,
    or names where the file has them); every tetrahedron needs a role. `surfaces` maps
    we_contact, we_metal, ce, ... to tagged boundary triangles; untagged boundary faces are
    insulating and pore|electrolyte faces are found by themselves. The interface is in the
    mesh, so `interface` stays `full` (the default).
    """

    shape: Literal["mesh"] = "mesh"
    path: str = Field(description="Mesh file (relative paths: to the config file)")
    units: Length = Field(description="Length of one mesh unit, e.g. '1 um'")
    volumes: dict[VolumeRole, Tags] = Field(description="Volume role -> region tags")
    surfaces: dict[SurfaceRole, Tags] = Field(description="Surface role -> region tags")
    tag_field: str | None = Field(
        None, description="Cell-data array with the region numbers (default: gmsh:physical, ...)"
    )
    electrode_area: Area | None = Field(
        None, description="Nominal electrode area (default: WE surfaces projected on z = const)"
    )
    gap_height: Length | None = Field(
        None, description="Height of thin gaps tagged we_gap or ce_gap"
    )

    @field_validator("path")
    @classmethod
    def _path(cls, value: str, info: ValidationInfo) -> str:
        return resolve_path(
            value,
            info,
            (".msh", ".vtu", ".vtk", ".med", ".inp", ".xdmf", ".e", ".exo", ".mesh"),
            False,
        )

    @field_validator("volumes", "surfaces", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return {k: _as_list(v) for k, v in value.items()} if isinstance(value, dict) else value

    def spec(self) -> UserMeshSpec:
        return UserMeshSpec(
            Path(self.path),
            self.units,
            dict(self.volumes),
            dict(self.surfaces),
            self.tag_field,
            self.electrode_area,
            self.gap_height,
        )


class StackLabels(Model):
    """The voxel value of each region in the segmented stack."""

    electrolyte: int
    void: int
    metal: int


class StackCrop(Model):
    """Half-open index ranges [start, stop) in the stack as stored (before downsampling)."""

    slices: tuple[int, int] | None = None
    rows: tuple[int, int] | None = None
    columns: tuple[int, int] | None = None


class VolumeImage(Model):
    """A segmented 3D image stack of the interface (FIB-SEM, X-ray tomography), meshed into
    conforming tetrahedra with smooth surfaces (not voxel staircases).

    Stack layout: (slice, row, column) = (z, y, x); slice 0 faces the counter electrode and
    must be electrolyte, the metal lies on top; row 0 is the largest y. The stack is centred
    on a square patch cell and cropped to it (`cell.side` a whole number of voxels); its mean
    electrolyte surface sits at `cell.thickness` above the counter electrode.
    """

    kind: Literal["volume_image"] = "volume_image"
    path: str = Field(description="Multi-page TIFF, .npy, or a folder of PNG slices")
    voxel_size: list[Length] = Field(
        description="Voxel size: one length, or three (x, y, z)", min_length=1, max_length=3
    )
    labels: StackLabels = Field(description="Voxel values of electrolyte, void and metal")
    crop: StackCrop = Field(default_factory=StackCrop, description="Part of the stack to use")
    downsample: list[Annotated[int, Field(ge=1, le=16)]] = Field(
        [1, 1, 1],
        min_length=1,
        max_length=3,
        description="Block size (one, or x, y, z) of majority downsampling",
    )
    smoothing: bool = Field(
        True, description="Smooth the voxel surfaces (false: keep the staircase, for comparison)"
    )

    @field_validator("voxel_size", "downsample", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _as_list(value)

    @field_validator("voxel_size", "downsample")
    @classmethod
    def _three(cls, value: list) -> list:
        if len(value) == 2:
            raise ValueError("give one value or three (x, y, z)")
        return value * 3 if len(value) == 1 else value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str, info: ValidationInfo) -> str:
        return resolve_path(value, info, (".tif", ".tiff", ".npy"), True)

    def spec(self) -> StackSpec:
        crop = {k: v for k, v in self.crop.model_dump().items() if v is not None}
        return StackSpec(
            Path(self.path),
            tuple(self.voxel_size),
            self.labels.model_dump(),
            crop,
            tuple(self.downsample),
        )


def check_own_geometry(cell: Model, interface: Model) -> None:
    """Read and check a user's mesh, or load and place an image stack (ValueError, one line).

    Everything but gmsh runs here, so `eisfem validate` refuses a bad mesh or stack before a
    run starts.
    """
    from eisfem.core.errors import GeometryError
    from eisfem.geometry.image_stack.placement import place
    from eisfem.geometry.image_stack.stack import load_stack
    from eisfem.geometry.user_mesh.model import read_checked

    try:
        if isinstance(cell, MeshCell):
            if getattr(interface, "kind", "full") != "full":
                raise ValueError(
                    "interface: a cell of shape 'mesh' carries its interface in the mesh; "
                    f"leave interface out (got kind '{interface.kind}')"
                )
            read_checked(cell.spec())
        elif isinstance(interface, VolumeImage):
            if cell.shape != "patch" or cell.layout != "half":
                raise ValueError(
                    "interface.kind volume_image needs cell.shape patch with layout half "
                    f"(got {cell.shape}, {cell.layout})"
                )
            place(load_stack(interface.spec()), cell.side, cell.thickness)
    except GeometryError as exc:
        raise ValueError(str(exc)) from None
