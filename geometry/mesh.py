"""Mesh a config's geometry with gmsh on rank 0 and hand it to DOLFINx as a MeshBundle.

The bundle is the one object the solver needs: the distributed mesh in metres, cell and facet
tags, the physical-group names, the nominal electrode area and a report of what was meshed
(counts, areas, element quality, timings).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dolfinx
import gmsh
import numpy as np
from dolfinx.io import gmsh as gmshio
from mpi4py import MPI

from eisfem.config import RunConfig
from eisfem.errors import GeometryError
from eisfem.geometry import tags
from eisfem.geometry.builder import UM, BuiltModel, build_model, gap_height_maps
from eisfem.geometry.sizing import apply_size_fields, resolve_sizes


@dataclass
class MeshBundle:
    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    groups: dict[str, int]  # physical-group name -> tag
    electrode_area: float  # nominal electrode area, m²
    info: dict[str, Any] = field(default_factory=dict)
    # thin-gap footprint group -> height h(x) in metres at points x (array of shape (3, n))
    gap_height: dict[str, Callable[[np.ndarray], np.ndarray]] = field(default_factory=dict)

    def tag(self, name: str) -> int | None:
        return self.groups.get(name)


def _measures(built: BuiltModel) -> dict[str, Any]:
    """Exact areas and volumes of the tagged entities from the CAD model (SI units)."""

    def total(dim: int, ents: list[int]) -> float:
        return float(sum(gmsh.model.occ.getMass(dim, e) for e in ents))

    contact = total(2, built.surfaces.get(tags.WE_CONTACT, [])) * UM**2
    floors = total(2, built.surfaces.get(tags.PORE_FLOOR, [])) * UM**2
    area = built.electrode_area * UM**2
    return {
        "electrode_area_m2": area,
        "contact_area_m2": contact,
        "contact_fraction": contact / area,
        "pore_count": built.pore_count,
        "pore_area_fraction": floors / area,
        "pore_volume_m3": total(3, built.volumes.get(tags.PORE, [])) * UM**3,
    }


def _quality() -> dict[str, float]:
    _types, elems, _ = gmsh.model.mesh.getElements(3)
    q = np.concatenate([gmsh.model.mesh.getElementQualities(e, "minSICN") for e in elems])
    return {
        "cells": int(q.size),
        "quality_min_sicn": float(q.min()),
        "quality_p01_sicn": float(np.percentile(q, 1)),
    }


def generate(cfg: RunConfig, msh_path: Path | None = None) -> tuple[BuiltModel, dict[str, Any]]:
    """Build and mesh ``cfg`` in the current gmsh session; optionally save the .msh file."""
    t0 = time.perf_counter()
    gmsh.model.add(cfg.name)
    gmsh.option.setNumber("General.NumThreads", 1)  # reproducible meshes
    built = build_model(cfg)
    sizes = resolve_sizes(cfg)
    apply_size_fields(built, sizes)
    try:
        gmsh.model.mesh.generate(3)
    except Exception as exc:
        raise GeometryError(
            f"gmsh could not mesh this geometry ({exc}); try mesh.refine or larger feature sizes"
        ) from None
    info = _measures(built) | _quality()
    info["mesh_sizes_m"] = sizes.as_metres()
    if info["quality_min_sicn"] <= 0:
        raise GeometryError("the mesh has inverted elements (minSICN <= 0); change mesh sizes")
    if msh_path is not None:
        gmsh.write(str(msh_path))
    info["meshing_seconds"] = time.perf_counter() - t0
    return built, info


def mesh_bundle(
    cfg: RunConfig, msh_path: Path | None = None, comm: MPI.Comm = MPI.COMM_WORLD
) -> MeshBundle:
    """Mesh on rank 0, distribute over ``comm``, scale µm to metres."""
    info: dict[str, Any] | None = None
    error: str | None = None
    if comm.rank == 0:
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        try:
            _, info = generate(cfg, msh_path)
        except GeometryError as exc:
            error = str(exc)
    error = comm.bcast(error, root=0)
    if error is not None:
        if comm.rank == 0:
            gmsh.finalize()
        raise GeometryError(error)
    t0 = time.perf_counter()
    try:
        data = gmshio.model_to_mesh(gmsh.model if comm.rank == 0 else None, comm, 0, gdim=3)
    finally:
        if comm.rank == 0:
            gmsh.finalize()
    data.mesh.geometry.x[:] *= UM
    info = comm.bcast(info, root=0)
    info["conversion_seconds"] = time.perf_counter() - t0
    groups = {name: pg.tag for name, pg in data.physical_groups.items()}
    return MeshBundle(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        groups=groups,
        electrode_area=info["electrode_area_m2"],
        info=info,
        gap_height=gap_height_maps(cfg),
    )
