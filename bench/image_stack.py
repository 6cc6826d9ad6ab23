"""A 256³ segmented stack meshed and solved: time and peak memory, next to the same stack
downsampled to 128³ (each case in its own process, so peak memories are clean).

    .venv/bin/python bench/image_stack.py [--size 256]

The stack is synthetic (seeded): 24 lens-shaped voids (5-15 µm base radius, 1.5-3 µm high)
between Na and NZSP on a 128 µm patch, voxels 0.5 × 0.5 × 0.25 µm, 56 µm of electrolyte and
8 µm of metal in the stack, standing on a 60 µm thick cell. Per case: stack reading, surface
extraction and gmsh meshing (one thread), conversion to DOLFINx, assembly and five direct P2
solves; peak resident memory of the process. Mesh size is set by the element sizes, not by
the voxel count: the ratio line shows what 8× more voxels cost.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from benchlib import Timer, emit, environment, peak_rss_MB, run_child, say

from eisfem.config import parse_config
from eisfem.geometry.image_stack.synthetic import LABELS, lens_stack, random_voids
from eisfem.simulation.model import build_mesh, build_system

SIDE, DEPTH, TOP = 128.0, 56.0, 8.0  # µm; at 256³ the voxels are 0.5 × 0.5 × 0.25 µm
FREQS = np.logspace(4, 8, 5)


def voxel_of(n: int) -> tuple[float, float, float]:
    return (SIDE / n, SIDE / n, (DEPTH + TOP) / n)


def case(path: Path, downsample: int, n: int) -> None:
    raw = {
        "name": "stack",
        "cell": {"shape": "patch", "side": f"{SIDE} um", "thickness": "60 um"},
        "interface": {
            "kind": "volume_image",
            "path": str(path),
            "voxel_size": [f"{v} um" for v in voxel_of(n)],
            "labels": LABELS,
            "downsample": downsample,
        },
        "materials": {
            "electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30},
            "pore": {"permittivity": 1},
        },
    }
    with Timer() as validate:
        cfg = parse_config(raw)
    with Timer() as meshing:
        bundle = build_mesh(cfg)
    mesh_rss = peak_rss_MB()
    with Timer() as assembly:
        system = build_system(cfg, bundle)
    with Timer() as solves:
        z = system.direct_impedance(FREQS)
    info = bundle.info
    emit(
        {
            "downsample": downsample,
            "voxels": int(np.prod(info["plan"]["stack_voxels"])),
            "stack_voxels": info["plan"]["stack_voxels"],
            "validate_s": validate.seconds,
            "mesh_s": meshing.seconds,
            "gmsh_and_surfaces_s": info["meshing_seconds"],
            "to_dolfinx_s": info["conversion_seconds"],
            "assembly_s": assembly.seconds,
            "solve_s_each": solves.seconds / len(FREQS),
            "cells": info["cells"],
            "dofs": system.dofs,
            "surface_triangles": info["plan"]["surface_triangles"],
            "contact_fraction": info["contact_fraction"],
            "pore_count": info["pore_count"],
            "smoothing_scale": info["plan"]["smoothing_scale"],
            "peak_rss_after_mesh_MB": mesh_rss,
            "peak_rss_MB": peak_rss_MB(),
            "z_1e4_ohm": [z[0].real, z[0].imag],
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--downsample", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        case(args.case, args.downsample, args.size)
        return 0
    say("environment", environment())
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "stack.npy"
        n = args.size
        np.save(
            path,
            lens_stack(SIDE, voxel_of(n), DEPTH, TOP, random_voids(SIDE, 24, (5.0, 15.0), seed=5)),
        )
        results = {}
        for downsample in (2, 1):
            extra = ["--size", str(n)]
            results[downsample] = run_child(
                [__file__, "--case", str(path), "--downsample", str(downsample), *extra]
            )
            say(results[downsample])
    a, b = results[1], results[2]
    if "failed" not in a and "failed" not in b:
        ratio = {k: a[k] / b[k] for k in ("voxels", "mesh_s", "peak_rss_MB", "cells")}
        ratio["solve"] = a["solve_s_each"] / b["solve_s_each"]
        say(f"{n}³ vs {n // 2}³ (ratios): " + ", ".join(f"{k} ×{v:.2f}" for k, v in ratio.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
