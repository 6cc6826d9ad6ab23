"""Forward evaluations: a resolved run config → its area-specific spectrum at given frequencies.

An evaluation meshes the geometry, assembles the system and runs the configured frequency
sweep (the fast, error-controlled one by default) at exactly the measured frequencies, so no
interpolation enters the misfit. Each process keeps the mesh of its last geometry: when only
material or kinetic fields are free, every evaluation after the first skips meshing. Whether
the geometry is the same is decided on everything the mesh is built from (the cell, interface,
interphase and mesh sections of the resolved config), not on which fields are free, so a fit
can never reuse a mesh it should not.

``--workers N`` runs evaluations in a pool of N processes started with ``spawn`` (DOLFINx,
PETSc and MPI do not survive a fork); each worker keeps its own mesh. An evaluation that fails
for any reason returns its error line instead of a spectrum: the fit records and penalises it.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from eisfem.config import RunConfig

CM2 = 1e-4  # m²
GEOMETRY_SECTIONS = ("cell", "interface", "interphase", "mesh")
_MESH: dict[str, Any] = {}  # this process's last mesh: {geometry key: MeshBundle}
stats = {"meshes": 0}  # meshes built by this process (tests check the reuse)


def geometry_key(cfg: RunConfig) -> str:
    """Hash of the config sections the mesh is built from."""
    resolved = cfg.resolved_dict()
    parts = {k: resolved.get(k) for k in GEOMETRY_SECTIONS}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def mesh_of(cfg: RunConfig) -> Any:
    """The mesh bundle of ``cfg``: this process's last one if the geometry is the same."""
    from eisfem.simulation.model import build_mesh

    key = geometry_key(cfg)
    if key not in _MESH:
        _MESH.clear()  # one mesh at a time: a fit moves, it does not come back
        _MESH[key] = build_mesh(cfg)
        stats["meshes"] += 1
    return _MESH[key]


def spectrum(cfg: RunConfig, frequency: np.ndarray) -> tuple[np.ndarray, int]:
    """Area-specific Z (Ω·cm²) of ``cfg`` at ``frequency`` and the number of dofs."""
    from eisfem.simulation.model import build_system
    from eisfem.solvers.spectrum import solve_spectrum

    bundle = mesh_of(cfg)
    system = build_system(cfg, bundle)
    result = solve_spectrum(system, frequency, cfg.solver.sweep, cfg.solver.sweep_tolerance)
    return result.impedance * bundle.electrode_area / CM2, system.dofs


def simulate(resolved: dict[str, Any], frequency: np.ndarray) -> dict[str, Any]:
    """Evaluate one resolved config; never raises (a failure comes back as its error line)."""
    t0 = time.perf_counter()
    try:
        z, dofs = spectrum(RunConfig.model_validate(resolved), frequency)
    except Exception as exc:  # any failure is a failed evaluation, recorded and penalised
        message = " ".join(str(exc).split()) or type(exc).__name__
        return {"error": f"{type(exc).__name__}: {message}", "seconds": time.perf_counter() - t0}
    return {"impedance": z, "dofs": dofs, "seconds": time.perf_counter() - t0}


class Evaluator:
    """Runs batches of evaluations: here, or in a pool of ``workers`` processes."""

    def __init__(self, frequency: np.ndarray, workers: int = 1):
        self.frequency = frequency
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Evaluator:
        if self.workers > 1:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(self, configs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Evaluate resolved configs; one alone runs here (no pickling, this process's mesh)."""
        if self._pool is None or len(configs) <= 1:
            return [simulate(c, self.frequency) for c in configs]
        futures = [self._pool.submit(simulate, c, self.frequency) for c in configs]
        return [f.result() for f in futures]


def pinned_mesh_sizes(cfg: RunConfig) -> dict[str, float]:
    """The mesh sizes eisfem resolves for ``cfg`` (meshed once), to hold for a whole fit.

    Contact rims get the finest rim size of the starting geometry, and ``refine`` is folded in.
    """
    sizes = mesh_of(cfg).info["mesh_sizes_m"]
    edge = min(sizes["edge"], sizes.get("feature_edge_min", sizes["edge"]))
    return {
        "size_bulk": sizes["bulk"],
        "size_interface": sizes["interface"],
        "size_edge": edge,
        "refine": 1.0,
    }
