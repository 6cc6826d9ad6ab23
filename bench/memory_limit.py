"""The largest problem that fits in this machine's memory with the iterative path, and the time
of its whole spectrum (fast sweep, 60 frequencies over 7.4 decades).

Runs the demo geometry at growing refinement (dofs roughly doubling per step), each case in its
own process, and stops before a case whose memory — extrapolated from the last case's peak
memory per dof — would pass ``--limit-GiB`` (default: 90 % of MemTotal). It needs the machine
to itself: other processes' memory is not accounted for.

    .venv/bin/python bench/memory_limit.py --start 1.6 --degree 2
"""

from __future__ import annotations

import argparse

import numpy as np
from benchlib import (
    Timer,
    build,
    demo_config,
    emit,
    environment,
    peak_rss_MB,
    run_child,
    say,
    with_solver,
)

from eisfem.simulation.model import build_mesh
from eisfem.solvers.spectrum import solve_spectrum

GROWTH = 2 ** (1 / 3)  # refine step: about twice the dofs


def mem_total_GiB() -> float:
    with open("/proc/meminfo") as fh:
        return int(fh.readline().split()[1]) / 2**20


def case(refine: float, degree: int) -> None:
    cfg = with_solver(demo_config(refine, degree), linear_solver="iterative")
    f = np.geomspace(1e10, 1e10 / 10 ** (59 / 8), 60)
    with Timer() as total:
        bundle = build_mesh(cfg)
        system = build(cfg, bundle)
        with Timer() as spectrum:
            result = solve_spectrum(system, f, "fast")
    emit(
        {
            "refine": refine,
            "dofs": system.dofs,
            "spectrum_s": spectrum.seconds,
            "total_s": total.seconds,
            "snapshots": len(result.report["snapshot_frequencies_Hz"]),
            "krylov_iterations": system.operator.stats.iterations,
            "peak_rss_MB": peak_rss_MB(),
            "environment": environment(),
        }
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--start", type=float, default=1.6, help="first mesh.refine")
    p.add_argument("--degree", type=int, default=2)
    p.add_argument("--limit-GiB", type=float, default=0.9 * mem_total_GiB())
    p.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.case:
        case(float(a.case[0]), int(a.case[1]))
        return
    say(f"environment: {environment()}; memory limit {a.limit_GiB:.1f} GiB")
    refine, largest = a.start, None
    while True:
        r = run_child([__file__, "--case", str(refine), str(a.degree)])
        if "failed" in r:
            say(f"refine {refine:.3f}: {r['failed']}")
            break
        largest = r
        say(
            f"refine {refine:.3f}: {r['dofs']} dofs, peak {r['peak_rss_MB'] / 1024:.2f} GiB, "
            f"spectrum {r['spectrum_s']:.0f} s ({r['snapshots']} solves, "
            f"{r['krylov_iterations']} Krylov iterations), "
            f"load {r['environment']['load_average_1min']}"
        )
        predicted = r["peak_rss_MB"] / 1024 * GROWTH**3
        if predicted > a.limit_GiB:
            say(f"next case predicted at {predicted:.1f} GiB > {a.limit_GiB:.1f} GiB: stop")
            break
        refine *= GROWTH
    if largest is not None:
        say(
            f"largest that fits: {largest['dofs']} dofs (P{a.degree}), peak "
            f"{largest['peak_rss_MB'] / 1024:.2f} GiB, spectrum in {largest['spectrum_s']:.0f} s"
        )
        emit({"largest": largest})


if __name__ == "__main__":
    main()
