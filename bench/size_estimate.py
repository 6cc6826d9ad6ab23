"""The size estimate of `eisfem validate` against whole runs of the example configs.

Runs each example (default mesh, one process) with `eisfem run --no-size-check` in a child
process, reads its cells and dofs from summary.json and its peak resident memory from the
kernel (wait4), and prints estimate/measured for each. These are the runs the constants of
eisfem.geometry.cell_count (KAPPA) and eisfem.simulation.size_guard (dofs per cell, memory)
were calibrated on; the issue asks for every ratio within a factor 1.5.

    .venv/bin/python bench/size_estimate.py [configs/demo.yaml ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import ROOT, emit, environment, say

from eisfem.config import load_config
from eisfem.simulation.size_guard import estimate


def measure(path: Path, folder: Path) -> dict[str, float]:
    out = folder / path.stem
    eisfem = Path(sys.executable).parent / "eisfem"
    child = subprocess.Popen(
        [str(eisfem), "run", str(path), "--out", str(out), "--quiet", "--no-size-check"]
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{path}: eisfem run failed ({child.returncode})")
    summary = json.loads((out / "summary.json").read_text())
    peak = usage.ru_maxrss * 1024  # kB on Linux
    return {"cells": summary["geometry"]["cells"], "dofs": summary["dofs"], "peak_bytes": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", type=Path)
    args = parser.parse_args()
    examples = args.configs or sorted(
        p for p in (ROOT / "configs").glob("*.yaml") if not p.name.startswith("sweep")
    )
    worst = 1.0
    with tempfile.TemporaryDirectory() as folder:
        for path in examples:
            est = estimate(load_config(path))
            if est is None:
                say(path.stem, "no estimate (image stack or imported mesh)")
                continue
            got = measure(path, Path(folder))
            ratios = {
                "cells": est.cells / got["cells"],
                "dofs": est.dofs / got["dofs"],
                "peak_memory": est.peak_bytes / got["peak_bytes"],
            }
            worst = max(worst, *(max(r, 1 / r) for r in ratios.values()))
            say(path.stem, " ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
            emit({"config": path.stem, "measured": got, "estimate/measured": ratios})
    emit({"largest_factor": worst, "environment": environment()})


if __name__ == "__main__":
    main()
