"""Meshing options side by side: 3D algorithm and where gmsh's tet optimizer runs.

    .venv/bin/python bench/meshing_options.py [CONFIG.yaml ...]

For each config (default: the cap-pore and symmetric-pore examples) the same model is meshed
with (a) Delaunay + optimizer everywhere (gmsh's defaults), (b) HXT + optimizer everywhere,
(c) HXT + optimizer on the conducting volumes only (what eisfem does), in one run, and the
times and the electrolyte's worst element quality (minSICN) are printed with ratios to (a).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import gmsh
import numpy as np

import eisfem  # noqa: F401
from eisfem.config import load_config
from eisfem.geometry import tags
from eisfem.geometry.builder import build_model
from eisfem.geometry.sizing import apply_size_fields, resolve_sizes
from eisfem.simulation.model import geometry_spec

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["configs/ellipsoid_pores_hexagonal.yaml", "configs/pores_symmetric.yaml"]
VARIANTS = {
    "Delaunay, optimize all": (1, True),
    "HXT, optimize all": (10, True),
    "HXT, optimize conducting": (10, False),
}


def mesh_once(path: Path, algorithm: int, optimize_all: bool) -> tuple[float, int, float]:
    cfg = load_config(path)
    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    try:
        gmsh.model.add("bench")
        gmsh.option.setNumber("General.NumThreads", 1)
        gmsh.option.setNumber("Mesh.Algorithm3D", algorithm)
        gmsh.option.setNumber("Mesh.Optimize", int(optimize_all))
        spec = geometry_spec(cfg)
        built = build_model(spec)
        apply_size_fields(built, resolve_sizes(spec, built))
        t0 = time.perf_counter()
        gmsh.model.mesh.generate(3)
        if not optimize_all:
            vols = [
                (3, v)
                for g in (tags.ELECTROLYTE, tags.INTERPHASE)
                for v in built.volumes.get(g, [])
            ]
            gmsh.model.mesh.optimize("", dimTags=vols)
        seconds = time.perf_counter() - t0
        q = np.concatenate(
            [
                gmsh.model.mesh.getElementQualities(e, "minSICN")
                for v in built.volumes[tags.ELECTROLYTE]
                for e in gmsh.model.mesh.getElements(3, v)[1]
            ]
        )
        cells = sum(len(e) for e in gmsh.model.mesh.getElements(3)[1])
        return seconds, cells, float(q.min())
    finally:
        gmsh.finalize()


def main(paths: list[str]) -> None:
    for path in paths or DEFAULT:
        print(f"\n{path}")
        base = None
        for name, (algorithm, optimize_all) in VARIANTS.items():
            seconds, cells, worst = mesh_once(ROOT / path, algorithm, optimize_all)
            base = base or seconds
            print(
                f"  {name:26s} {seconds:6.1f} s  ({seconds / base:4.2f} × a)  {cells:7d} cells  "
                f"electrolyte min SICN {worst:.3f}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
