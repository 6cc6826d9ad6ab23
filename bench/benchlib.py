"""Shared helpers of the benchmarks: build the demo family of systems, time, report.

Every benchmark measures the things it compares side by side in one process (or one script
run) on the same mesh, and prints the machine load next to the numbers: this machine is shared,
and a ratio measured in one run is robust to load where an absolute time is not.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import eisfem  # noqa: F401  (dolfinx_solver before dolfinx)
from eisfem.config import RunConfig, load_config
from eisfem.geometry.mesh import MeshBundle
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.system import ImpedanceSystem

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "configs" / "demo.yaml"


def demo_config(refine: float, degree: int, *extra: str) -> RunConfig:
    """The demo geometry with every mesh size divided by ``refine``."""
    return load_config(DEMO, [f"mesh.refine={refine}", f"solver.degree={degree}", *extra])


def build(cfg: RunConfig, bundle: MeshBundle | None = None) -> ImpedanceSystem:
    return build_system(cfg, bundle or build_mesh(cfg))


def with_solver(cfg: RunConfig, **solver: Any) -> RunConfig:
    return cfg.model_copy(update={"solver": cfg.solver.model_copy(update=solver)})


class Timer:
    def __enter__(self) -> Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


def peak_rss_MB() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def environment() -> dict[str, Any]:
    """What the numbers depend on besides the code: load, cores, threads, ranks."""
    return {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "mpi_ranks": MPI.COMM_WORLD.size,
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset"),
        "python": platform.python_version(),
    }


def say(*parts: object) -> None:
    if MPI.COMM_WORLD.rank == 0:
        print(*parts, flush=True)


def emit(record: dict[str, Any]) -> None:
    """One JSON line on stdout (rank 0): the machine-readable result of a case."""
    if MPI.COMM_WORLD.rank == 0:
        print("RESULT " + json.dumps(record), flush=True)


def current_rss_MB() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_child(args: list[str], ranks: int = 1, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a benchmark case in a fresh process (clean peak memory); its RESULT record."""
    import subprocess
    import sys

    command = [sys.executable, *args]
    if ranks > 1:
        command = [str(Path(sys.executable).parent / "mpiexec"), "-n", str(ranks), *command]
    done = subprocess.run(
        command, capture_output=True, text=True, env=os.environ | (env or {}), check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return {"failed": f"exit {done.returncode}: {' | '.join(tail)}"}
