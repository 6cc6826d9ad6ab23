"""Serial against 2 MPI ranks on the same mesh: time of each stage and the ratio.

Both runs use one BLAS thread per rank (OPENBLAS_NUM_THREADS=1), so 1 rank uses one core and
2 ranks two: the comparison is ranks, not threads. The machine's other load is printed.

    .venv/bin/python bench/mpi_speedup.py --refine 1.26 --degree 2
"""

from __future__ import annotations

import argparse

import numpy as np
from benchlib import Timer, build, demo_config, emit, environment, run_child, say

from eisfem.simulation.model import build_mesh
from eisfem.solvers.spectrum import solve_spectrum


def case(refine: float, degree: int) -> None:
    cfg = demo_config(refine, degree)
    f = np.geomspace(1e10, 1e10 / 10 ** (59 / 8), 60)
    with Timer() as meshing:
        bundle = build_mesh(cfg)
    with Timer() as assembly:
        system = build(cfg, bundle)
    with Timer() as fast:
        result = solve_spectrum(system, f, "fast")
    with Timer() as one:  # one factorization with the analysis already done
        system.operator.update(system.coefficients(2 * np.pi * 3e7))
        if system.operator.stale:  # deferred to the solve: do it now
            system.operator.set_up()
    emit(
        {
            "dofs": system.dofs,
            "meshing_s": meshing.seconds,
            "assembly_s": assembly.seconds,
            "fast_sweep_s": fast.seconds,
            "factorization_s": one.seconds,
            "impedance": [[z.real, z.imag] for z in result.impedance],
            "environment": environment(),
        }
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--refine", type=float, default=1.26)
    p.add_argument("--degree", type=int, default=2)
    p.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.case:
        case(float(a.case[0]), int(a.case[1]))
        return
    say(f"environment: {environment()}")
    runs = {}
    for ranks in (1, 2):
        runs[ranks] = run_child(
            [__file__, "--case", str(a.refine), str(a.degree)],
            ranks=ranks,
            env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        )
        if "failed" in runs[ranks]:
            say(f"{ranks} rank(s): {runs[ranks]['failed']}")
            return
    z1, z2 = (np.array(runs[n]["impedance"]) @ [1, 1j] for n in (1, 2))
    loads = [runs[n]["environment"]["load_average_1min"] for n in runs]
    say(f"dofs {runs[1]['dofs']} (P{a.degree}); load average at the two runs {loads}")
    say(f"{'stage':14s} {'1 rank':>9s} {'2 ranks':>9s} {'speed-up':>8s}")
    for stage in ("meshing_s", "assembly_s", "fast_sweep_s", "factorization_s"):
        t1, t2 = runs[1][stage], runs[2][stage]
        say(f"{stage[:-2]:14s} {t1:9.2f} {t2:9.2f} {t1 / t2:8.2f}")
    say(f"max |Z_2/Z_1 - 1| = {np.max(np.abs(z2 / z1 - 1)):.1e}")
    emit({"serial": runs[1], "two_ranks": runs[2]})


if __name__ == "__main__":
    main()
