"""Fast vs direct sweep on the same mesh: time ratio and max relative error in Z.

Target (issue 5): at >= 2e5 dofs and 60 frequencies over >= 7 decades the fast sweep is >= 15x
faster than the direct sweep with max relative error <= 1e-4. Each sweep runs on a freshly
built system, so each pays its own MUMPS analysis; assembly (the same for both) is excluded.
The fast sweep runs before and after the direct one, and both wall and CPU time are reported:
on a shared machine the load changes during a long direct sweep, and CPU time is the measure
that other processes disturb least.

    .venv/bin/python bench/fast_vs_direct.py --refine 1.75 --degree 2    # 2.05e5 dofs P2
    .venv/bin/python bench/fast_vs_direct.py --refine 1 --degree 2       # the demo, 5e4 dofs
"""

from __future__ import annotations

import argparse
import gc
import os
import time

import numpy as np
from benchlib import build, demo_config, emit, environment, say, with_solver

from eisfem.simulation.model import build_mesh
from eisfem.solvers.spectrum import solve_spectrum


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--refine", type=float, default=1.75)
    p.add_argument("--degree", type=int, default=2)
    p.add_argument("--points", type=int, default=60)
    p.add_argument("--per-decade", type=float, default=8.0)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--linear-solver", default="direct", choices=["direct", "iterative"])
    a = p.parse_args()
    cfg = with_solver(demo_config(a.refine, a.degree), linear_solver=a.linear_solver)
    decades = (a.points - 1) / a.per_decade
    f = np.geomspace(cfg.frequencies.max, cfg.frequencies.max / 10**decades, a.points)
    say(f"environment: {environment()}")
    bundle = build_mesh(cfg)
    runs = []
    for method in ("fast", "direct", "fast"):
        system = build(cfg, bundle)
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        result = solve_spectrum(system, f, method, a.tolerance)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        runs.append(
            {
                "method": method,
                "wall_s": wall,
                "cpu_s": cpu,
                "load": load,
                "Z": result.impedance,
                "report": result.report,
            }
        )
        say(
            f"{method:6s}: wall {wall:8.1f} s, cpu {cpu:8.1f} s, load at start {load:.2f} "
            f"({result.report['operator_setups']} factorizations / set-ups, "
            f"{result.report['operator_solves']} solves)"
        )
        dofs = system.dofs
        del system, result
        gc.collect()
    fast, direct = runs[0], runs[1]
    error = float(np.max(np.abs(fast["Z"] / direct["Z"] - 1)))
    say(f"dofs {dofs} (P{a.degree}), {f.size} frequencies over {decades:.2f} decades")
    say(
        f"fast sweep: solves at {fast['report']['snapshot_frequencies_Hz']} Hz, "
        f"estimated max error {fast['report']['estimated_max_relative_error']:.2e}"
    )
    for clock in ("wall_s", "cpu_s"):
        ratios = [direct[clock] / r[clock] for r in (runs[0], runs[2])]
        say(
            f"speed-up direct/fast ({clock[:-2]} time): {ratios[0]:.1f}x (fast run before), "
            f"{ratios[1]:.1f}x (fast run after)  [target >= 15x]"
        )
    say(f"max relative error fast vs direct: {error:.2e}  [target <= 1e-4]")
    emit(
        {
            "dofs": dofs,
            "degree": a.degree,
            "frequencies": int(f.size),
            "decades": decades,
            "runs": [{k: v for k, v in r.items() if k not in ("Z", "report")} for r in runs],
            "max_relative_error": error,
            "estimated_error": fast["report"]["estimated_max_relative_error"],
            "solves": len(fast["report"]["snapshot_frequencies_Hz"]),
            "environment": environment(),
        }
    )


if __name__ == "__main__":
    main()
