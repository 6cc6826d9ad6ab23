"""Wall time of a sweep with 1 and with 2 workers, measured side by side in one run.

    .venv/bin/python bench/sweep_workers.py [SWEEP.yaml]     (default configs/sweep-contact.yaml)

Each worker count runs the whole sweep from scratch in its own temporary folder (the order
alternates 1, 2, 1, 2 with --repeat 2). The load average before and after each run is printed
too: on a shared machine other processes take cores, and the speed-up is only as good as the
cores that were free.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_sweep(sweep: Path, workers: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory(prefix="eisfem-bench-") as tmp:
        load = os.getloadavg()[0]
        command = [sys.executable, "-m", "eisfem", "sweep", str(sweep), "--out", tmp]
        command += ["--workers", str(workers), "--quiet"]
        t0 = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - t0
        return seconds, f"load {load:.2f} -> {os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", nargs="?", type=Path, default=ROOT / "configs/sweep-contact.yaml")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"{args.sweep}: {os.cpu_count()} CPUs")
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.repeat):
        for workers in (1, 2):
            seconds, load = timed_sweep(args.sweep, workers)
            times[workers].append(seconds)
            print(f"  workers={workers}: {seconds:6.1f} s  ({load})", flush=True)
    best = {w: min(t) for w, t in times.items()}
    print(f"speed-up 2 vs 1 workers: {best[1] / best[2]:.2f}x (best of {args.repeat})")


if __name__ == "__main__":
    main()
