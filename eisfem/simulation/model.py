"""From a run config to the model's plain inputs: geometry spec, mesh, impedance system.

This is the one place where config sections become the typed inputs of the lower layers
(geometry specs, solver options, physics terms), so geometry/, solvers/ and postprocess/ never
see the config schema.
"""

from __future__ import annotations

from pathlib import Path

from mpi4py import MPI

from eisfem.config import PatchCell, RunConfig, SolverSettings
from eisfem.config.own_geometry import MeshCell, VolumeImage
from eisfem.geometry.image_stack.bundle import StackMeshOptions, stack_bundle
from eisfem.geometry.mesh import MeshBundle, mesh_bundle
from eisfem.geometry.morphologies import plan_interface
from eisfem.geometry.specs import CellSpec, GeometrySpec, MeshOptions
from eisfem.geometry.user_mesh.model import user_mesh_bundle
from eisfem.simulation.cell_terms import surface_terms, volume_terms
from eisfem.solvers.linear_solver import LinearSolverOptions
from eisfem.solvers.system import ImpedanceSystem


def cell_spec(cfg: RunConfig) -> CellSpec:
    """The electrolyte block of ``cfg`` (the interphase layer included)."""
    cell = cfg.cell
    width = cell.side if isinstance(cell, PatchCell) else 2 * cell.radius
    return CellSpec(
        shape=cell.shape,
        width=width,
        thickness=cell.thickness,
        layout=cell.layout,
        interphase_thickness=cfg.interphase.thickness if cfg.interphase is not None else None,
    )


def geometry_spec(cfg: RunConfig) -> GeometrySpec:
    """Everything the mesher needs from ``cfg``: cell, planned interface, mesh options."""
    m = cfg.mesh
    options = MeshOptions(
        size_bulk=m.size_bulk,
        size_interface=m.size_interface,
        size_edge=m.size_edge,
        refine=m.refine,
        max_gap_aspect=m.max_gap_aspect,
        gap_layers=m.gap_layers,
        geometry_order=m.geometry_order,
    )
    return GeometrySpec(cfg.name, cell_spec(cfg), plan_interface(cfg.cell, cfg.interface), options)


def build_mesh(
    cfg: RunConfig, msh_path: Path | None = None, comm: MPI.Comm = MPI.COMM_WORLD
) -> MeshBundle:
    """Mesh ``cfg`` (gmsh on rank 0) and distribute it over ``comm``: eisfem's parametric
    geometry, an image stack, or the user's own mesh (read and checked on rank 0)."""
    if isinstance(cfg.cell, MeshCell):
        return user_mesh_bundle(cfg.cell.spec(), msh_path, comm)
    if isinstance(cfg.interface, VolumeImage):
        m = cfg.mesh
        opts = StackMeshOptions(
            m.size_edge, m.size_interface, m.size_bulk, m.refine, cfg.interface.smoothing
        )
        spec = cfg.interface.spec()
        return stack_bundle(spec, cfg.cell.side, cfg.cell.thickness, opts, msh_path, comm)
    return mesh_bundle(geometry_spec(cfg), msh_path, comm)


def linear_solver_options(settings: SolverSettings) -> LinearSolverOptions:
    """The one linear-solver options object of a run: every solve (AC, DC, Butler–Volmer)."""
    return LinearSolverOptions(
        method=settings.linear_solver,
        factorization=settings.factorization,
        mumps_icntl=LinearSolverOptions().mumps_icntl | settings.mumps_icntl,
        mumps_cntl=settings.mumps_cntl,
        rtol=settings.krylov_rtol,
        max_iterations=settings.krylov_max_iterations,
        petsc_options=settings.petsc_options,
    )


def build_system(cfg: RunConfig, bundle: MeshBundle) -> ImpedanceSystem:
    """The impedance system of ``cfg`` on a mesh built from it (or from the same geometry)."""
    return ImpedanceSystem(
        bundle,
        volume_terms(cfg),
        surface_terms(cfg, bundle),
        degree=cfg.solver.degree,
        solver=linear_solver_options(cfg.solver),
    )
