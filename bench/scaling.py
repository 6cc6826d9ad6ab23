"""Cost per frequency against the number of dofs, direct (MUMPS LDLᵀ) and iterative (GMRES +
GAMG), with the fitted exponent p of t ∝ dofs^p, and peak memory per dof.

Each case runs in its own process (so its peak memory is its own) on the demo geometry with
all mesh sizes divided by ``refine``. The cost of one frequency is the mean over a few
frequencies after the first (which also pays MUMPS's analysis / the first set-up); a spectrum
costs about (solves of the fast sweep) × this.

    .venv/bin/python bench/scaling.py                       # P2, refine 0.6 … 1.6 (1e4–2e5 dofs)
    .venv/bin/python bench/scaling.py --refine 1 2 2.5 --methods iterative
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from benchlib import (
    Timer,
    build,
    current_rss_MB,
    demo_config,
    emit,
    environment,
    peak_rss_MB,
    run_child,
    say,
    with_solver,
)

from eisfem.simulation.model import build_mesh

FREQUENCIES_HZ = (1e3, 1e6, 1e8, 1e10)


def case(refine: float, degree: int, method: str) -> None:
    cfg = with_solver(demo_config(refine, degree), linear_solver=method)
    bundle = build_mesh(cfg)
    base = current_rss_MB()
    with Timer() as assembly:
        system = build(cfg, bundle)
    seconds = []
    for f in FREQUENCIES_HZ:
        with Timer() as t:
            system.solve(2 * np.pi * f)
        seconds.append(t.seconds)
    info = system.operator.summary()
    emit(
        {
            "refine": refine,
            "degree": degree,
            "method": method,
            "dofs": system.dofs,
            "assembly_s": assembly.seconds,
            "first_frequency_s": seconds[0],
            "per_frequency_s": float(np.mean(seconds[1:])),
            "krylov_iterations_per_solve": info["iterations"] / info["solves"],
            "mumps_MB": info.get("mumps_infog", {}).get("memory_used_MB_total"),
            "peak_rss_MB": peak_rss_MB(),
            "rss_before_assembly_MB": base,
            "environment": environment(),
        }
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--refine", type=float, nargs="+", default=[0.6, 0.8, 1.0, 1.26, 1.6])
    p.add_argument("--degree", type=int, default=2)
    p.add_argument("--methods", nargs="+", default=["direct", "iterative"])
    p.add_argument("--case", nargs=3, help=argparse.SUPPRESS)  # refine degree method (child)
    a = p.parse_args()
    if a.case:
        case(float(a.case[0]), int(a.case[1]), a.case[2])
        return
    say(f"environment: {environment()}")
    say(
        f"{'method':9s} {'dofs':>8s} {'s/freq':>8s} {'its':>5s} {'peak MB':>8s} "
        f"{'kB/dof':>7s} {'MUMPS MB':>8s} load"
    )
    rows = {m: [] for m in a.methods}
    for refine in a.refine:
        for method in a.methods:
            r = run_child([__file__, "--case", str(refine), str(a.degree), method])
            if "failed" in r:
                say(f"{method:9s} refine {refine}: {r['failed']}")
                continue
            rows[method].append(r)
            extra = r["peak_rss_MB"] - r["rss_before_assembly_MB"]
            say(
                f"{method:9s} {r['dofs']:8d} {r['per_frequency_s']:8.2f} "
                f"{r['krylov_iterations_per_solve']:5.1f} {r['peak_rss_MB']:8.0f} "
                f"{1024 * extra / r['dofs']:7.1f} {r['mumps_MB'] or 0:8.0f} "
                f"{r['environment']['load_average_1min']}"
            )
    for method, rs in rows.items():
        if len(rs) >= 2:
            n = np.array([r["dofs"] for r in rs], float)
            t = np.array([r["per_frequency_s"] for r in rs])
            slope = np.polyfit(np.log(n), np.log(t), 1)[0]
            mem = [1024 * (r["peak_rss_MB"] - r["rss_before_assembly_MB"]) / r["dofs"] for r in rs]
            say(
                f"{method}: time per frequency ∝ dofs^{slope:.2f} over {n.min():.0f}–{n.max():.0f} "
                f"dofs; memory above the mesh {mem[-1]:.1f} kB/dof at the largest case"
            )
            emit({"method": method, "exponent": slope, "cases": rs})
    sys.exit(0)


if __name__ == "__main__":
    main()
