"""Place a labelled stack on a square patch cell and extract its labelled surfaces.

The stack is centred on the patch and cropped to it (the side must be a whole number of
voxels, so the mirror walls fall on voxel faces). Vertically, its mean electrolyte surface
lands at the cell thickness above the counter electrode; the pure-electrolyte slices at the
bottom of the stack are stretched (or squeezed) to reach down to z = 0, so a thin stack
stands on a thick cell without voxelising the bulk.

Surfaces come from VTK's Surface Nets (``vtkSurfaceNets3D`` through pyvista): one
triangulation for all label pairs, conforming where three regions meet (the contact lines),
smoothed so staircases become surfaces (a vertex moves at most a voxel diagonal, less when
gmsh cannot mesh the result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.image_stack.stack import ROLES, Stack

E, V, M = (ROLES.index(r) + 1 for r in ("electrolyte", "void", "metal"))  # 0: outside
PAIR_ROLES = {(E, V): tags.PORE_FLOOR, (E, M): tags.WE_CONTACT, (V, M): tags.WE_METAL}
UM = 1e-6


@dataclass
class StackSurfaces:
    """Triangles (µm, cell frame) grouped by surface role, and which volumes each bounds."""

    points: np.ndarray
    groups: dict[str, np.ndarray]  # role -> triangles (k, 3) into points
    bounds: dict[str, list[str]]  # role -> volume roles on its sides ("electrolyte", "pore")
    report: dict[str, Any]  # stack size, voxel size, surface triangles


def _crop_to_patch(roles: np.ndarray, voxel, side: float) -> np.ndarray:
    out = roles
    for axis, name in ((0, "x"), (1, "y")):
        n = side / voxel[axis]
        if abs(n - round(n)) > 1e-6 * n:
            raise GeometryError(
                f"cell.side: {side:g} m is not a whole number of voxels along {name} "
                f"({voxel[axis]:g} m: {n:.3f})"
            )
        n = round(n)
        if n > out.shape[axis]:
            raise GeometryError(
                f"cell.side: the stack ({out.shape[axis]} voxels of {voxel[axis]:g} m along "
                f"{name}) must cover the patch ({side:g} m)"
            )
        start = (out.shape[axis] - n) // 2
        out = np.take(out, range(start, start + n), axis=axis)
    return out


def _check_layers(roles: np.ndarray, where: str) -> int:
    """Refuse stacks the cell model cannot take; returns the pure-electrolyte slices at the
    bottom."""
    e, m = ROLES.index("electrolyte"), ROLES.index("metal")
    below = np.all(roles == e, axis=(0, 1))
    bottom = int(np.argmin(below)) if not below.all() else roles.shape[2]
    if bottom < 2:
        raise GeometryError(
            f"{where}.path: the two bottom slices of the stack must be all electrolyte "
            "(slice 0 faces the counter electrode); crop or flip the stack"
        )
    for role, face, what in ((e, 0, "bottom"), (m, -1, "top")):
        lab, n = ndimage.label(roles == role)
        touching = np.unique(lab[:, :, face])
        loose = n - np.count_nonzero(touching)
        if loose:
            raise GeometryError(
                f"{where}.path: {loose} piece(s) of {ROLES[role]} do not reach the {what} "
                f"of the stack (floating {ROLES[role]}); clean the segmentation"
            )
    return bottom


def _surface_nets(labels: np.ndarray, voxel_um, smooth: bool, scale: float):
    """Quads of every label pair, smoothed, and the unsmoothed vertices (voxel corners).

    The unsmoothed run has the same vertices and quads (smoothing only moves vertices); it
    tells which vertices lie on the faces of the box, which smoothing pulls inwards.
    """
    import pyvista as pv

    img = pv.ImageData(
        dimensions=labels.shape, spacing=voxel_um, origin=tuple(d / 2 for d in voxel_um)
    )
    img.point_data["labels"] = labels.ravel(order="F")
    runs = []
    for smoothing in dict.fromkeys((smooth, False)):
        surf = img.contour_labels(
            "all",
            output_mesh_type="quads",
            smoothing=smoothing,
            smoothing_scale=scale,
            background_value=0,
        )
        runs.append(surf)
    quads = runs[0].faces.reshape(-1, 5)[:, 1:].astype(np.int64)
    pairs = np.sort(np.asarray(runs[0].cell_data["boundary_labels"]), axis=1)[:, ::-1]
    return np.array(runs[0].points, np.float64), np.array(runs[-1].points, np.float64), quads, pairs


def _triangles(points: np.ndarray, quads: np.ndarray) -> np.ndarray:
    """Split each quad along its shorter diagonal (the better pair of triangles)."""
    p = points[quads]
    short = np.linalg.norm(p[:, 0] - p[:, 2], axis=1) <= np.linalg.norm(p[:, 1] - p[:, 3], axis=1)
    a = np.where(short[:, None], quads[:, [0, 1, 2]], quads[:, [0, 1, 3]])
    b = np.where(short[:, None], quads[:, [0, 2, 3]], quads[:, [1, 2, 3]])
    return np.stack([a, b], axis=1).reshape(-1, 3)


@dataclass
class Placement:
    """A stack cropped to the patch, with its vertical placement (µm)."""

    roles: np.ndarray
    voxel_um: tuple[float, float, float]
    thickness_um: float  # counter electrode to the mean electrolyte surface
    surface_um: float  # the mean electrolyte surface, from the stack's bottom face
    margin_um: float  # top of the pure-electrolyte slices kept as they are (less one voxel)

    def z_map(self, z: np.ndarray) -> np.ndarray:
        """Stack z to cell z: shift, and stretch the pure-electrolyte bottom down to 0."""
        t, s, m = self.thickness_um, self.surface_um, self.margin_um
        return np.where(z >= m, z - s + t, z * (t + m - s) / m)


def place(stack: Stack, side: float, thickness: float, where: str = "interface") -> Placement:
    """Crop ``stack`` to a patch of ``side`` (m) and place its mean electrolyte surface at
    ``thickness`` (m) above the counter electrode; refuses stacks that do not fit."""
    roles = _crop_to_patch(stack.roles, stack.voxel, side)
    bottom = _check_layers(roles, where)
    vox = tuple(v / UM for v in stack.voxel)
    is_e = roles == ROLES.index("electrolyte")
    top_e = roles.shape[2] - np.argmax(is_e[:, :, ::-1], axis=2)  # face above the top E voxel
    surface = float(top_e.mean()) * vox[2]
    margin = (bottom - 1) * vox[2]  # below: only walls and the bottom face (a voxel spare)
    if thickness / UM + margin - surface <= 0:
        raise GeometryError(
            f"cell.thickness: {thickness:g} m is less than the stack's depth below its mean "
            f"electrolyte surface ({(surface - margin) * UM:g} m)"
        )
    return Placement(roles, vox, thickness / UM, surface, margin)


def stack_surfaces(placed: Placement, smooth: bool = True, scale: float = 1.0) -> StackSurfaces:
    """The labelled surfaces of a placed stack, in the cell frame (µm); smoothing moves a
    vertex at most ``scale`` × the voxel diagonal."""
    vox = placed.voxel_um
    points, corners, quads, pairs = _surface_nets(placed.roles + 1, vox, smooth, scale)
    hi = np.array(placed.roles.shape) * vox
    for axis in range(3):  # smoothing rounds the box: put its faces back on their planes
        for plane in (0.0, hi[axis]):
            on = np.abs(corners[:, axis] - plane) < 1e-6 * vox[axis]
            points[on, axis] = plane
    tris = _triangles(points, quads)
    pairs = np.repeat(pairs, 2, axis=0)
    points[:, 2] = placed.z_map(points[:, 2])
    points[:, :2] -= hi[:2] / 2
    groups, bounds = _groups(points, tris, pairs)
    report = {
        "stack_voxels": [int(n) for n in placed.roles.shape],
        "voxel_size_m": [v * UM for v in vox],
        "mean_surface_above_stack_bottom_m": placed.surface_um * UM,
        "surface_triangles": len(tris),
    }
    return StackSurfaces(points, groups, bounds, report)


def _groups(points, tris, pairs) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    volume = {E: tags.ELECTROLYTE, V: tags.PORE}
    z_low = points[:, 2].min()
    centre_z = points[tris][:, :, 2].mean(axis=1)
    groups: dict[str, list[np.ndarray]] = {}
    bounds: dict[str, set[str]] = {}
    for big, small in np.unique(pairs, axis=0).tolist():
        sel = np.all(pairs == (big, small), axis=1)
        if small == 0 and big in volume:  # the outer box: bottom face of E is the CE
            at_bottom = sel & (np.abs(centre_z - z_low) < 1e-9 * max(1.0, abs(z_low)))
            parts = {
                tags.CE: at_bottom & (big == E),
                tags.INSULATING: sel & ~(at_bottom & (big == E)),
            }
        elif (small, big) in PAIR_ROLES:
            parts = {PAIR_ROLES[(small, big)]: sel}
        else:
            continue  # metal against the outside: not part of the model
        for role, mask in parts.items():
            if mask.any():
                groups.setdefault(role, []).append(tris[mask])
                bounds.setdefault(role, set()).update(
                    volume[x] for x in (big, small) if x in volume
                )
    return (
        {r: np.concatenate(g) for r, g in groups.items()},
        {r: sorted(b) for r, b in bounds.items()},
    )
