"""A segmented image stack on a patch cell, from file to distributed MeshBundle."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gmsh
import numpy as np
from mpi4py import MPI
from scipy import ndimage

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.image_stack.mesher import StackSizes, build_stack_model, surface_report
from eisfem.geometry.image_stack.placement import UM, Placement, place, stack_surfaces
from eisfem.geometry.image_stack.stack import ROLES, StackSpec, load_stack
from eisfem.geometry.mesh import MeshBundle, bundle_from_gmsh, quality

INTERFACE_VOXELS = 3  # default element size on the interfaces, in voxels (xy)
SMOOTHING_SCALES = (1.0, 0.5, 0.3)  # tried in turn: × the voxel diagonal a vertex may move


@dataclass
class StackMeshOptions:
    """Requested sizes in metres (None: from the voxel size and the cell) and a refinement."""

    edge: float | None = None
    interface: float | None = None
    bulk: float | None = None
    refine: float = 1.0
    smoothing: bool = True


def resolve_stack_sizes(placed: Placement, side: float, opts: StackMeshOptions) -> StackSizes:
    """Sizes in µm: a voxel at the contact lines, three on the interfaces, a sixth of the
    cell in the bulk (finer surfaces than the voxel would only resolve the segmentation's
    noise)."""
    voxel = min(placed.voxel_um[:2])
    edge = opts.edge / UM if opts.edge else voxel
    interface = opts.interface / UM if opts.interface else INTERFACE_VOXELS * voxel
    bulk = opts.bulk / UM if opts.bulk else min(placed.thickness_um, side / UM) / 6
    interface = min(interface, bulk)
    edge = min(edge, interface)
    k = opts.refine
    return StackSizes(edge / k, interface / k, bulk / k)


def _mesh_surfaces(placed: Placement, sizes: StackSizes, smoothing: bool, name: str):
    """Surfaces, remeshing and tetrahedra, retried with gentler smoothing when gmsh fails.

    Smoothing moves vertices up to a voxel diagonal; where a void meets the metal plane at a
    right angle it can fold the surfaces into each other so that the remeshed patches
    overlap (gmsh: "HXT 3D mesh failed", "overlapping facets") or do not parametrise. A
    smaller smoothing distance removes the folds at the price of more staircase left.
    """
    scales = SMOOTHING_SCALES if smoothing else (0.0,)
    errors = []
    for scale in scales:
        surf = stack_surfaces(placed, smoothing, scale)
        gmsh.model.add(f"{name}-{len(errors)}")
        try:
            model = build_stack_model(surf, sizes)
            gmsh.model.mesh.generate(3)
            conducting = [(3, v) for v in model.volumes.get(tags.ELECTROLYTE, [])]
            gmsh.model.mesh.optimize("", dimTags=conducting)
            return surf, model, scale, errors
        except Exception as exc:  # gmsh raises plain Exceptions with its log message
            errors.append(f"smoothing scale {scale:g}: {exc}")
            # a failed 3D mesh leaves gmsh in a state where the next one silently makes no
            # tetrahedra: start a fresh session (the caller's session is the same object)
            gmsh.finalize()
            gmsh.initialize(interruptible=False)
            gmsh.option.setNumber("General.Terminal", 0)
    raise GeometryError(
        f"gmsh could not mesh the stack {name} ({'; '.join(errors)}); voids only 1-2 voxels "
        "thick are the usual cause: remove them from the segmentation, or try other mesh sizes"
    )


def generate_stack(
    spec: StackSpec, side: float, thickness: float, opts: StackMeshOptions
) -> dict[str, Any]:
    """Build and mesh the stack in the current gmsh session; returns the geometry report."""
    t0 = time.perf_counter()
    placed = place(load_stack(spec), side, thickness, spec.where)
    sizes = resolve_stack_sizes(placed, side, opts)
    surf, model, scale, failed = _mesh_surfaces(placed, sizes, opts.smoothing, spec.path.stem)
    info = surface_report(model, (side / UM) ** 2) | quality(model.volumes)
    voids = placed.roles == ROLES.index("void")
    info["pore_count"] = int(ndimage.label(voids)[1])
    info["feature_counts"] = {"pores": info["pore_count"]}
    info["pore_volume_m3"] = info["gap_volume_m3"] = float(
        voids.sum() * np.prod(placed.voxel_um) * UM**3
    )
    info["thin_gap_area_fraction"] = 0.0
    info["mesh_sizes_m"] = {k: v * UM for k, v in vars(sizes).items()}
    # what the stack was and how it was meshed, in the report's free-form section
    info["plan"] = surf.report | {"smoothing_scale": scale, "meshing_retries": failed}
    if info["quality_min_sicn"] <= 0:
        raise GeometryError(
            "the stack mesh has inverted elements (minSICN <= 0); change mesh sizes"
        )
    info["meshing_seconds"] = time.perf_counter() - t0
    return info


def stack_bundle(
    spec: StackSpec,
    side: float,
    thickness: float,
    opts: StackMeshOptions,
    msh_path: Path | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> MeshBundle:
    """Mesh the stack on rank 0 and distribute it (µm model, metres in the bundle)."""

    def build() -> dict[str, Any]:
        info = generate_stack(spec, side, thickness, opts)
        if msh_path is not None:
            gmsh.write(str(msh_path))
        return info

    return bundle_from_gmsh(build, comm, UM)
