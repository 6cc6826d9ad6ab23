"""Which geometry source meshes a run: eisfem's parametric builder, an image stack, or the
user's own mesh. Translates the config sections into the geometry layer's plain specs."""

from __future__ import annotations

from pathlib import Path

from mpi4py import MPI

from eisfem.config import RunConfig
from eisfem.config.own_geometry import MeshCell, VolumeImage
from eisfem.geometry.image_stack.bundle import StackMeshOptions, stack_bundle
from eisfem.geometry.mesh import MeshBundle, mesh_bundle
from eisfem.geometry.user_mesh.model import user_mesh_bundle


def run_mesh(
    cfg: RunConfig, msh_path: Path | None = None, comm: MPI.Comm = MPI.COMM_WORLD
) -> MeshBundle:
    """The MeshBundle of ``cfg`` (meshed or read on rank 0, distributed over ``comm``)."""
    if isinstance(cfg.cell, MeshCell):
        return user_mesh_bundle(cfg.cell.spec(), msh_path, comm)
    if isinstance(cfg.interface, VolumeImage):
        m = cfg.mesh
        opts = StackMeshOptions(
            m.size_edge, m.size_interface, m.size_bulk, m.refine, cfg.interface.smoothing
        )
        spec = cfg.interface.spec()
        return stack_bundle(spec, cfg.cell.side, cfg.cell.thickness, opts, msh_path, comm)
    return mesh_bundle(cfg, msh_path, comm)
