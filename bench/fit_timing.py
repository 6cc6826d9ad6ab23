"""Wall time of a 2-parameter fit of a ~20k-dof model: the demo example, coarsened.

Fits configs/fit-demo/fit.yaml (void radius and height of the demo geometry, P2) with every
mesh size of the demo scaled so the model has about 2e4 dofs (``--refine``, default 0.75), the
whole ``eisfem fit`` (pinning, fit, interval check, best run, overlays), and prints the wall
time against the 10-minute target, the evaluations, the time per evaluation and the machine
load (the machine is shared: the load says how much of it the fit had).

    .venv/bin/python bench/fit_timing.py [--workers 2] [--refine 0.75]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from benchlib import environment, say

import eisfem  # noqa: F401  (before DOLFINx)
from eisfem.inverse.fitfile import load_fit
from eisfem.inverse.folder import run_fit

FIT = Path(__file__).resolve().parents[1] / "configs" / "fit-demo" / "fit.yaml"
TARGET_S = 600.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--refine", type=float, default=0.75)
    args = ap.parse_args()
    problem = load_fit(FIT, [f"mesh.refine={args.refine}"])
    out = Path(tempfile.mkdtemp(prefix="fit-timing-")) / "fit"
    say("before:", environment())
    t0 = time.perf_counter()
    result = run_fit(problem, out, args.workers)
    wall = time.perf_counter() - t0
    r = result.record
    with (out / "fit_history.csv").open(newline="") as fh:
        dofs = [int(row["dofs"]) for row in csv.DictReader(fh) if row["status"] == "ok"]
    say("after:", environment())
    for name, p in r["parameters"].items():
        say(f"{name} = {p['value']:.4g}, 95 %: {p['ci95'][0]:.4g}-{p['ci95'][1]:.4g}")
    say(f"dofs {min(dofs)}-{max(dofs)}, {r['evaluations']} evaluations, misfit {r['misfit']:.4f}")
    say(
        f"fit wall time {wall:.0f} s = {wall / TARGET_S:.2f} × the 10-minute target "
        f"({wall / r['evaluations']:.1f} s per evaluation, {args.workers} workers); folder {out}"
    )


if __name__ == "__main__":
    main()
