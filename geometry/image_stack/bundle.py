"""A segmented image stack on a patch cell, from file to distributed MeshBundle."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gmsh
from mpi4py import MPI
from scipy import ndimage

from eisfem.core.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.image_stack.mesher import StackSizes, build_stack_model, surface_report
from eisfem.geometry.image_stack.placement import UM, Placement, place, stack_surfaces
from eisfem.geometry.image_stack.stack import ROLES, StackSpec, load_stack
from eisfem.geometry.mesh import MeshBundle, bundle_from_gmsh, quality

INTERFACE_VOXELS = 3  # default element size on the interfaces, in voxels (xy)


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


def generate_stack(
    spec: StackSpec, side: float, thickness: float, opts: StackMeshOptions
) -> dict[str, Any]:
    """Build and mesh the stack in the current gmsh session; returns the geometry report."""
    t0 = time.perf_counter()
    placed = place(load_stack(spec), side, thickness, spec.where)
    surf = stack_surfaces(placed, opts.smoothing)
    t1 = time.perf_counter()
    gmsh.model.add(spec.path.stem)
    sizes = resolve_stack_sizes(placed, side, opts)
    model = build_stack_model(surf, sizes)
    try:
        gmsh.model.mesh.generate(3)
        conducting = [(3, v) for v in model.volumes.get(tags.ELECTROLYTE, [])]
        gmsh.model.mesh.optimize("", dimTags=conducting)
    except Exception as exc:
        raise GeometryError(
            f"gmsh could not mesh the stack {spec.path.name} ({exc}); try "
            f"{spec.where}.downsample or larger mesh sizes"
        ) from None
    info = surface_report(model, (side / UM) ** 2) | quality(model.volumes) | surf.report
    voids = placed.roles == ROLES.index("void")
    info["pore_count"] = int(ndimage.label(voids)[1])
    info["feature_counts"] = {"pores": info["pore_count"]}
    info["pore_volume_m3"] = float(
        voids.sum() * UM**3 * placed.voxel_um[0] * placed.voxel_um[1] * placed.voxel_um[2]
    )
    info["mesh_sizes_m"] = {k: v * UM for k, v in vars(sizes).items()}
    info["surface_seconds"] = t1 - t0
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
