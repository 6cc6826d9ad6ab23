"""Mesh convergence of the impedance and of the current-focusing metrics for one pore array.

The case is the demo (configs/demo.yaml: Na|NZSP, 20 nm flat voids of radius 46 µm on a
100 µm lattice, P2) with charge transfer on the contact (R_ct 1.3 Ω·cm², [Ortmann2023] §2.2.2;
C_dl 10 µF/cm², assumed) and an applied current of 1 mA/cm². Each `mesh.refine` divides every
element size; the table gives every quantity per mesh and its change from the previous mesh.

    .venv/bin/python scripts/convergence_study.py --refine 1 1.41 2 --out docs/convergence.md

With ``--out`` the table replaces everything below the marker line of that file (the reading
above it is kept).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import time
from pathlib import Path

import numpy as np

from eisfem.config import load_config
from eisfem.postprocess.focusing import ContactFocusing
from eisfem.simulation.adaptive import solve
from eisfem.simulation.cell_terms import charge_transfer
from eisfem.simulation.console import RunConsole
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.applied_current import AppliedCurrentProblem
from eisfem.solvers.interface_current import InterfaceFlux

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = [
    "kinetics.we.charge_transfer_resistance=1.3 ohm*cm^2",
    "kinetics.we.double_layer_capacitance=10 uF/cm^2",
    "dc.current_density=1 mA/cm^2",
    "focusing.band_widths=[1 um, 5 um]",
]
FREQUENCIES = (1e3, 8e6, 3e8)  # Hz: charge-transfer plateau, constriction apex, bulk apex
MARKER = "<!-- table: written by scripts/convergence_study.py -->"
ADAPTIVE_MARKER = "<!-- adaptive table: written by scripts/convergence_study.py --adaptive -->"


def study(refine: float) -> dict:
    cfg = load_config(ROOT / "configs" / "demo.yaml", [*OVERRIDES, f"mesh.refine={refine}"])
    t0 = time.perf_counter()
    bundle = build_mesh(cfg)
    row = measure(cfg, build_system(cfg, bundle), f"refine {refine:g}")
    row["seconds"] = time.perf_counter() - t0
    return row


def adaptive_study(target: float, passes: int) -> list[dict]:
    """One row per pass of ``accuracy.target`` (the meshes it refines, the default first);
    time: from meshing to the end of that pass's refinement, without the metrics."""
    cfg = load_config(
        ROOT / "configs" / "demo.yaml",
        [*OVERRIDES, f"accuracy.target={target}", f"accuracy.max_iterations={passes}"],
    )
    rows: list[dict] = []
    t0 = time.perf_counter()
    spent = 0.0  # seconds of the metrics, not counted

    def on_pass(step, result, estimate) -> None:
        nonlocal spent
        t1 = time.perf_counter()
        source = "" if step["error_from"] == "estimate" else f" ({step['error_from']})"
        rows.append(measure(cfg, result.system, f"pass {step['iteration']}{source}"))
        rows[-1] |= {"estimate": step["combined_error_estimate_max"], "seconds": t1 - t0 - spent}
        spent += time.perf_counter() - t1
        print(f"pass {step['iteration']}: {step['dofs']} dofs", flush=True)

    solve(cfg, build_mesh(cfg), np.array(FREQUENCIES), RunConsole(quiet=True), on_pass=on_pass)
    return rows


def measure(cfg, system, label: str) -> dict:
    """Z at the study's frequencies and the focusing metrics on ``system``'s mesh."""
    bundle = system.bundle
    t0 = time.perf_counter()
    area = bundle.electrode_area
    row: dict = {"label": label, "cells": bundle.info["cells"], "dofs": system.dofs}
    solutions = {f: system.solve(2 * np.pi * f) for f in FREQUENCIES}
    row["Z"] = {f: s.impedance * area * 1e4 for f, s in solutions.items()}  # Ω·cm²
    row["Z"][0.0] = system.solve_dc().impedance * area * 1e4
    contact = ContactFocusing(InterfaceFlux(system))
    s = cfg.focusing

    def metrics(solution, total):
        return contact.metrics(solution, total, area, s.band_widths, s.thresholds, s.percentiles)

    current = cfg.dc.current_density * area
    bv = {"we_contact": charge_transfer(cfg.kinetics.we, cfg.temperature)}
    row["focusing"] = {}
    for case, kinetics in (
        ("DC primary", {"ideal": {"we_contact"}}),
        ("DC Butler–Volmer", {"butler_volmer": bv}),
    ):
        dc = AppliedCurrentProblem(system, **kinetics).at_current(current)
        row["focusing"][case] = metrics(dc.solution, dc.current)
        del dc
        gc.collect()  # free the Jacobian and its factorization before the next problem
    row["focusing"]["8 MHz"] = metrics(solutions[8e6], system.voltage / solutions[8e6].impedance)
    row["seconds"] = time.perf_counter() - t0
    return row


def steps(values: list[float]) -> list[str]:
    """Relative change from each mesh to the next."""
    return [f"{(b / a - 1) * 100:+.2f} %" if a else "–" for a, b in itertools.pairwise(values)]


def table(rows: list[dict]) -> str:
    heads = [r["label"] for r in rows]
    lines = [
        "| quantity | " + " | ".join(heads) + " | change per step |",
        "|---|" + "---|" * (len(rows) + 1),
    ]

    def add(name: str, values: list[float], fmt: str = "{:.5g}") -> None:
        cells = " | ".join(fmt.format(v) for v in values)
        lines.append(f"| {name} | {cells} | {', '.join(steps(values))} |")

    add("cells", [r["cells"] for r in rows], "{:d}")
    add("dofs (P2)", [r["dofs"] for r in rows], "{:d}")
    for f in (0.0, *FREQUENCIES):
        label = "DC" if f == 0 else f"{f:.3g} Hz"
        add(f"Re Z at {label} (Ω·cm²)", [r["Z"][f].real for r in rows])
        if f:
            add(f"−Im Z at {label} (Ω·cm²)", [-r["Z"][f].imag for r in rows])
    for case in rows[0]["focusing"]:
        ms = [r["focusing"][case] for r in rows]
        for i, band in enumerate(ms[0]["bands"]):
            w = band["width_m"] * 1e6
            add(
                f"{case}: current share of the {w:g} µm edge band",
                [m["bands"][i]["current_fraction"] for m in ms],
            )
            add(
                f"{case}: area share of the {w:g} µm edge band",
                [m["bands"][i]["area_fraction"] for m in ms],
            )
        for p in ms[0]["percentiles"]:
            add(f"{case}: {p} of \\|j\\|/j_nominal", [m["percentiles"][p] for m in ms])
        for k in ms[0]["area_share_above"]:
            add(f"{case}: area share above {k} × j_nominal", [m["area_share_above"][k] for m in ms])
        add(f"{case}: peak \\|j\\|/j_nominal", [m["peak"] for m in ms])
        add(f"{case}: peak_mesh_sensitivity", [m["peak_mesh_sensitivity"] for m in ms])
    if "estimate" in rows[0]:
        name = "relative error of Z (max; estimated, or as the pass's heading says)"
        add(name, [r["estimate"] for r in rows], "{:.2e}")
    add("time (s, incl. meshing)", [r["seconds"] for r in rows], "{:.0f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refine", type=float, nargs="+", default=[1.0, 1.41, 2.0])
    parser.add_argument("--adaptive", type=float, help="accuracy.target: meshes of its passes")
    parser.add_argument("--passes", type=int, default=3, help="most passes with --adaptive")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = []
    if args.adaptive:
        rows = adaptive_study(args.adaptive, args.passes)
    for refine in [] if args.adaptive else args.refine:
        rows.append(study(refine))
        print(
            f"refine {refine:g}: {rows[-1]['dofs']} dofs, {rows[-1]['seconds']:.0f} s", flush=True
        )
    text = table(rows)
    print(text)
    if args.out:
        # the reading above each table is written by hand: keep it, replace only the table
        marker = ADAPTIVE_MARKER if args.adaptive else MARKER
        old = args.out.read_text() if args.out.exists() else ""
        head = old[: old.index(marker)] if marker in old else old + "\n"
        rest = old[old.index(marker) :] if marker in old else ""
        other = ADAPTIVE_MARKER if marker == MARKER else MARKER
        tail = rest[rest.index(other) :] if other in rest else ""
        args.out.write_text(f"{head}{marker}\n\n{text}\n\n{tail}".rstrip() + "\n")


if __name__ == "__main__":
    main()
