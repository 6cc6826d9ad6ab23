"""Build the gmsh OCC model of a cell with its working-electrode interface, in micrometres.

The cell is an electrolyte block (square patch or cylindrical pellet) with the counter
electrode on its bottom face z = 0 and the working-electrode interface on its top. Features
(pores, a contact disk) are fragmented into the block so that all volumes are conformal, and
every entity is then classified into the physical groups of :mod:`eisfem.geometry.tags` from the
fragment's parent-child map and the surface adjacencies (never from entity numbers, which OCC
booleans renumber).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import gmsh
import numpy as np

from eisfem.config import CylinderCell, DiskContact, PatchCell, PoreArray, RunConfig
from eisfem.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.features import (
    add_lens_pore,
    square_lattice_in_disk,
    square_lattice_in_patch,
)

UM = 1e-6  # metres per model unit


@dataclass
class BuiltModel:
    """Entities of the built model by role, in model units (µm), for sizing and reporting."""

    z_interface: float  # the plane where the working electrode meets the cell
    electrode_area: float  # nominal electrode area (µm²)
    volumes: dict[str, list[int]] = field(default_factory=dict)
    surfaces: dict[str, list[int]] = field(default_factory=dict)
    edge_curves: list[int] = field(default_factory=list)  # contact edges: singular current
    pore_count: int = 0


def _add_block(cell: PatchCell | CylinderCell, z0: float, height: float) -> int:
    occ = gmsh.model.occ
    if isinstance(cell, PatchCell):
        s = cell.side / UM
        return occ.addBox(-s / 2, -s / 2, z0, s, s, height)
    return occ.addCylinder(0.0, 0.0, z0, 0.0, 0.0, height, cell.radius / UM)


def _electrode_area(cell: PatchCell | CylinderCell) -> float:
    if isinstance(cell, PatchCell):
        return (cell.side / UM) ** 2
    return 3.141592653589793 * (cell.radius / UM) ** 2


def _pore_centres(cfg: RunConfig, pores: PoreArray):
    if isinstance(cfg.cell, PatchCell):
        return square_lattice_in_patch(cfg.cell.side / UM, pores.spacing / UM)
    return square_lattice_in_disk(cfg.cell.radius / UM, pores.spacing / UM, pores.radius / UM)


def build_model(cfg: RunConfig) -> BuiltModel:
    """Create the OCC geometry of ``cfg`` in the current gmsh model and tag physical groups."""
    occ = gmsh.model.occ
    thickness = cfg.cell.thickness / UM
    electrolyte = _add_block(cfg.cell, 0.0, thickness)
    objects = [(3, electrolyte)]
    roles = {electrolyte: tags.ELECTROLYTE}
    z_if = thickness
    if cfg.interphase is not None:
        d = cfg.interphase.thickness / UM
        layer = _add_block(cfg.cell, thickness, d)
        objects.append((3, layer))
        roles[layer] = tags.INTERPHASE
        z_if += d

    iface = cfg.interface
    tools: list[tuple[int, int]] = []
    area = _electrode_area(cfg.cell)
    if isinstance(iface, DiskContact):
        r = iface.radius / UM
        tools.append((2, occ.addDisk(0.0, 0.0, z_if, r, r)))
        area = 3.141592653589793 * r**2
    elif isinstance(iface, PoreArray):
        centres = _pore_centres(cfg, iface)
        if len(centres) == 0:
            raise GeometryError(
                "interface: no pore of this radius and spacing fits inside the electrode"
            )
        r, h = iface.radius / UM, iface.height / UM
        if iface.shape == "cylinder":
            # Floors are cut into the interface plane; the voids are extruded from them below
            # (or, for the thin-gap model, the floors stay an admittance surface).
            tools = [(2, occ.addDisk(x, y, z_if, r, r)) for x, y in centres]
        else:
            tools = [(3, add_lens_pore(x, y, z_if, r, h)) for x, y in centres]

    # One fragment of everything makes all interfaces conformal (shared faces, no duplicates).
    pieces = objects + tools
    children = occ.fragment(pieces[:1], pieces[1:])[1] if len(pieces) > 1 else [pieces]
    occ.synchronize()
    tool_kids = children[len(objects) :]
    pores: list[int] = []
    tool_faces = {t for kids in tool_kids for d, t in kids if d == 2}
    plane_roles: dict[int, str] = {}
    if isinstance(iface, PoreArray) and iface.gap_model == "thin":
        plane_roles = dict.fromkeys(tool_faces, tags.WE_GAP)
    elif isinstance(iface, PoreArray):
        if iface.shape == "cylinder":
            floors = [(2, t) for t in sorted(tool_faces)]
            layers = [cfg.mesh.gap_layers]
            extruded = occ.extrude(floors, 0.0, 0.0, iface.height / UM, numElements=layers)
            occ.synchronize()
            pores = [t for d, t in extruded if d == 3]
        else:
            pores = sorted({t for kids in tool_kids for d, t in kids if d == 3})

    built = BuiltModel(z_interface=z_if, electrode_area=area)
    vols: dict[str, list[int]] = {name: [] for name in tags.VOLUME_GROUPS}
    for parent, kids in zip(objects, children[: len(objects)], strict=True):
        vols[roles[parent[1]]] += [t for d, t in kids if d == 3]
    vols[tags.PORE] = pores
    built.pore_count = len(pores)
    plane_default = tags.WE_CONTACT
    if isinstance(iface, DiskContact):
        plane_default = tags.INSULATING
        plane_roles = dict.fromkeys(tool_faces, tags.WE_CONTACT)
    built.volumes = {k: v for k, v in vols.items() if v}
    built.surfaces = _classify_surfaces(built, plane_default, plane_roles)
    built.edge_curves = _contact_edges(built, tool_faces)
    for dim, groups in ((3, built.volumes), (2, built.surfaces)):
        for name, ents in groups.items():
            gmsh.model.addPhysicalGroup(dim, ents, name=name)
    return built


def _is_plane(dim: int, tag: int, z: float, tol: float = 1e-6) -> bool:
    box = gmsh.model.getBoundingBox(dim, tag)
    scale = max(abs(z), 1.0)
    return abs(box[2] - z) < tol * scale and abs(box[5] - z) < tol * scale


def _classify_surfaces(
    built: BuiltModel, plane_default: str, plane_roles: dict[int, str]
) -> dict[str, list[int]]:
    """Assign every boundary surface of the model to a group of the tag contract.

    Exterior faces on the interface plane take their role from ``plane_roles`` (faces cut by
    a feature: a contact disk, a thin-gap footprint) or else ``plane_default``.
    """
    pore = set(built.volumes.get(tags.PORE, []))
    out: dict[str, list[int]] = {name: [] for name in tags.SURFACE_GROUPS}
    for _, s in gmsh.model.getEntities(2):
        up = list(gmsh.model.getAdjacencies(2, s)[0])
        if len(up) == 2:
            if len(pore.intersection(up)) == 1:
                out[tags.PORE_FLOOR].append(s)
            continue
        if len(up) != 1:
            raise GeometryError(f"surface {s} bounds {len(up)} volumes; the model is not conformal")
        if up[0] in pore:
            out[tags.WE_METAL].append(s)
        elif _is_plane(2, s, built.z_interface):
            out[plane_roles.get(s, plane_default)].append(s)
        elif _is_plane(2, s, 0.0):
            out[tags.CE].append(s)
        else:
            out[tags.INSULATING].append(s)
    return {k: v for k, v in out.items() if v}


def _contact_edges(built: BuiltModel, feature_faces: set[int]) -> list[int]:
    """Curves where the metal contact ends on the electrolyte: pore rims and disk rims."""
    faces = set(built.surfaces.get(tags.PORE_FLOOR, [])) | feature_faces
    curves: set[int] = set()
    for s in faces:
        curves.update(abs(c) for _, c in gmsh.model.getBoundary([(2, s)], oriented=False))
    return sorted(curves)


def gap_height_maps(cfg: RunConfig) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Height h(x) (m) of each thin-gap footprint group, for the solver's gap admittance.

    Computed from the config alone, so every MPI rank can build it without communication.
    """
    iface = cfg.interface
    if isinstance(iface, PoreArray) and iface.gap_model == "thin":
        h = iface.height
        return {tags.WE_GAP: lambda x: np.full(x.shape[1], h)}
    return {}
