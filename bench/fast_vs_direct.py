"""Fast vs direct sweep on the same mesh: wall-time ratio and max relative error in Z.

Target (issue 5): at >= 2e5 dofs and 60 frequencies over >= 7 decades the fast sweep is >= 15x
faster than the direct sweep with max relative error <= 1e-4. Each sweep runs on a freshly
built system, so each pays its own MUMPS analysis; assembly (the same for both) is excluded.

    .venv/bin/python bench/fast_vs_direct.py --refine 1.6 --degree 2     # ~2e5 dofs P2
    .venv/bin/python bench/fast_vs_direct.py --refine 1 --degree 2       # the demo, 5e4 dofs
"""

from __future__ import annotations

import argparse
import gc

import numpy as np
from benchlib import Timer, build, demo_config, emit, environment, say, with_solver

from eisfem.geometry.mesh import mesh_bundle
from eisfem.solvers.frequency_sweep import sweep


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--refine", type=float, default=1.6)
    p.add_argument("--degree", type=int, default=2)
    p.add_argument("--points", type=int, default=60)
    p.add_argument("--per-decade", type=float, default=8.0)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--linear-solver", default="direct", choices=["direct", "iterative"])
    a = p.parse_args()
    cfg = with_solver(demo_config(a.refine, a.degree), linear_solver=a.linear_solver)
    f = np.geomspace(
        cfg.frequencies.max, cfg.frequencies.max / 10 ** ((a.points - 1) / a.per_decade), a.points
    )
    say(f"environment: {environment()}")
    bundle = mesh_bundle(cfg)
    times, spectra, reports = {}, {}, {}
    for method in ("fast", "direct"):
        system = build(cfg, bundle)
        with Timer() as t:
            result = sweep(system, f, method, a.tolerance)
        times[method], spectra[method], reports[method] = t.seconds, result.impedance, result.report
        say(
            f"{method:6s}: {t.seconds:8.1f} s  ({result.report['operator_setups']} "
            f"factorizations / set-ups, {result.report['operator_solves']} solves)"
        )
        dofs = system.dofs
        del system, result
        gc.collect()
    error = float(np.max(np.abs(spectra["fast"] / spectra["direct"] - 1)))
    ratio = times["direct"] / times["fast"]
    say(
        f"dofs {dofs} (P{a.degree}), {f.size} frequencies over {np.log10(f[0] / f[-1]):.2f} decades"
    )
    say(
        f"fast sweep: snapshots at {reports['fast']['snapshot_frequencies_Hz']} Hz, "
        f"estimated max error {reports['fast']['estimated_max_relative_error']:.2e}"
    )
    say(
        f"speed-up direct/fast = {ratio:.1f}x, max relative error = {error:.2e} "
        f"(targets: >= 15x, <= 1e-4; load now {environment()['load_average_1min']})"
    )
    emit(
        {
            "dofs": dofs,
            "degree": a.degree,
            "frequencies": int(f.size),
            "fast_s": times["fast"],
            "direct_s": times["direct"],
            "speedup": ratio,
            "max_relative_error": error,
            "estimated_error": reports["fast"]["estimated_max_relative_error"],
            "snapshots": len(reports["fast"]["snapshot_frequencies_Hz"]),
            "environment": environment(),
        }
    )


if __name__ == "__main__":
    main()
