"""Item 3: hidden arcs (Ortmann et al. 2023, Fig. 5): fine pores give no arc of their own,
sparse large contacts do. Where is the boundary in (feature size, spacing)?

A square lattice of spacing s with contact fraction f: for f ≥ 0.5 a flat void (meshed) per
lattice cell (pores, diameter 2s·√((1−f)/π)), below 0.5 a contact spot per cell with a thin gap
elsewhere. Gap/pore height 27 nm (the value item 2 matched to the 34 nF/cm² of the same
interface). NZSP polycrystal preset. The model is min(4s, 2 mm) thick; the rest of the 2 mm
pellet is added as its exact 1D impedance. An arc is "separate" when −Im Z of the whole
spectrum in the analyser window of Publication I (10 Hz to 7 MHz) has an apex of its own
besides the grain-boundary apex. The cases on either side of the boundary are solved again at
P3 on the same mesh (p-enrichment): error bars of R_int and τ_int/τ_GB, and whether the count
of apexes stays.
"""

from __future__ import annotations

import itertools
import math

import matplotlib.pyplot as plt
import numpy as np
from common import Solved, config, error_bars, markdown_table, pm, savefig, solve, write_json

from eisfem.postprocess.interface_arc import area_spectrum

PELLET = 2e-3  # m
SPACINGS_UM = [0.3, 3, 30, 100, 300, 1000]
FRACTIONS = [0.5, 0.1, 0.01, 0.001]
HEIGHT = "27 nm"
BASE = {
    "cell": {"shape": "patch", "side": "1 um", "thickness": "3 um"},
    "materials": {"electrolyte": {"preset": "NZSP-polycrystal"}},
    "solver": {"degree": 2},
    "frequencies": {"max": "7 MHz", "min": "10 Hz", "points_per_decade": 12},
}


def interface(s_um: float, f: float) -> dict:
    if f >= 0.5:
        r = s_um * math.sqrt((1 - f) / math.pi)
        return {
            "kind": "pores",
            "shape": "cylinder",
            "placement": "single",
            "height": HEIGHT,
            "radius": f"{r} um",
            "min_distance": f"{0.02 * r} um",
        }
    return {
        "kind": "spots",
        "placement": "single",
        "height": HEIGHT,
        "gap_model": "thin",
        "radius": f"{s_um * math.sqrt(f / math.pi)} um",
    }


def numbers(sv: Solved) -> dict[str, float]:
    """What the map shows of one case (also read at P3 for the error bars)."""
    w = 2 * np.pi * sv.spectrum.frequency
    rest = sv.full_contact(w) * (PELLET / sv.cfg.cell.thickness - 1)  # the rest, exact 1D
    arcs = area_spectrum(sv.spectrum.frequency, sv.z + rest).arcs()
    arc = sv.interface()
    tau_gb = 1 / (2 * math.pi * max(a.apex_frequency_Hz for a in arcs))
    return {
        "apexes_in_window": float(len(arcs)),
        "resistance_ohm_cm2": arc.resistance_ohm_cm2,
        "tau_ratio_to_gb": arc.tau_s / tau_gb,
    }


def one(s_um: float, f: float, estimate: bool = False) -> dict:
    thick = min(4 * s_um * 1e-6, PELLET)
    cfg = config(
        BASE,
        **{"cell.side": f"{s_um} um", "cell.thickness": f"{thick} m"},
        interface=interface(s_um, f),
    )
    sv = solve(cfg)
    w = 2 * np.pi * sv.spectrum.frequency
    rest = sv.full_contact(w) * (PELLET / thick - 1)
    arcs = area_spectrum(sv.spectrum.frequency, sv.z + rest).arcs()
    return {
        "spacing_um": s_um,
        "contact_fraction": f,
        "kind": cfg.interface.kind,
        "separate": len(arcs) > 1,
        "apexes_Hz": [a.apex_frequency_Hz for a in arcs],
        **sv.interface().as_dict(),
        **numbers(sv),
        "error_estimate": error_bars(numbers, sv) if estimate else None,
    }


def boundary(rows: list[dict]) -> list[tuple[float, float]]:
    """(spacing, fraction) of the cases on either side of each merged → separate step."""
    out = []
    for f in FRACTIONS:
        line = [r for r in rows if r["contact_fraction"] == f]
        for left, right in itertools.pairwise(line):
            if left["separate"] != right["separate"]:
                out += [(left["spacing_um"], f), (right["spacing_um"], f)]
    return list(dict.fromkeys(out))


def run() -> list[dict]:
    rows = [one(s, f) for s in SPACINGS_UM for f in FRACTIONS]
    for s, f in boundary(rows):  # the cases that decide the boundary get P3 error bars
        i = next(
            k for k, r in enumerate(rows) if (r["spacing_um"], r["contact_fraction"]) == (s, f)
        )
        rows[i] = one(s, f, estimate=True)
    write_json("item3_hidden_arcs", rows)
    figure(rows)
    markdown_table(
        "item3_hidden_arcs",
        [
            "spacing (µm)",
            "contact fraction",
            "kind",
            "R_int (Ω·cm²)",
            "τ_int/τ_GB",
            "apexes in window",
            "separate arc",
            "same at P3",
        ],
        [
            [
                r["spacing_um"],
                r["contact_fraction"],
                r["kind"],
                pm(r["resistance_ohm_cm2"], err(r, "resistance_ohm_cm2")),
                pm(r["tau_ratio_to_gb"], err(r, "tau_ratio_to_gb")),
                len(r["apexes_Hz"]),
                "yes" if r["separate"] else "no",
                "" if r["error_estimate"] is None else same_at_p3(r),
            ]
            for r in rows
        ],
    )
    return rows


def err(row: dict, key: str) -> float | None:
    return None if row["error_estimate"] is None else row["error_estimate"][key]


def same_at_p3(row: dict) -> str:
    return "yes" if row["error_estimate"]["apexes_in_window"] == 0 else "NO"


def figure(rows: list[dict]) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.8), layout="constrained")
    for sep, marker, label in ((False, "o", "merged into the GB arc"), (True, "*", "separate arc")):
        sel = [r for r in rows if r["separate"] == sep]
        if sel:
            pts = ax.scatter(
                [r["spacing_um"] for r in sel],
                [r["contact_fraction"] for r in sel],
                c=[math.log10(max(r["resistance_ohm_cm2"], 1e-6)) for r in sel],
                marker=marker,
                s=140 if sep else 60,
                vmin=-4,
                vmax=2,
                cmap="viridis",
                edgecolors="k",
                label=label,
            )
    fig.colorbar(pts, ax=ax, label="log10 R_int (Ω·cm²)")
    for r in rows:
        ax.annotate(
            f"{r['tau_ratio_to_gb']:.2g}",
            (r["spacing_um"], r["contact_fraction"]),
            textcoords="offset points",
            xytext=(6, 4),
            fontsize=6,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lattice spacing s (µm)")
    ax.set_ylabel("contact fraction")
    ax.set_title(
        "Does the interface arc separate from the grain-boundary arc?\n"
        "(numbers: τ_int/τ_GB; 27 nm gaps, 2 mm NZSP, window 10 Hz–7 MHz)",
        fontsize=9,
    )
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3, which="both")
    savefig(fig, "item3_hidden_arcs")


if __name__ == "__main__":
    run()
