"""Item 2: Na|NZSP under stack pressure (Ortmann et al., Adv. Energy Mater. 2023, 13, 2202712).

Measured (Publication I): at ~1 N an interface arc of ≈ 53 Ω·cm² at ≈ 88 kHz (≈ 34 nF/cm²)
beside the grain-boundary arc; pressing lowers R_int to ≈ 25 Ω·cm² (1.7 MPa) and ≈ 7 Ω·cm²
(4.2 MPa) while C_int rises. Model: the NZSP polycrystal preset (brick layer: bulk 13 mS/cm,
0.26 eV; grain boundaries 0.49 mS/cm specific, 0.36 eV; εr 500) 2 mm thick, the Na touching
at one contact spot per lattice cell of spacing s (a mirror-walled patch), a vacuum gap of
height h elsewhere (thin-gap model).

Search (scipy brentq over the forward model, not `eisfem fit`): for each spacing, the spot
radius whose DC interface resistance is 53 Ω·cm² (the gap does not conduct at DC, so h does
not enter), then the gap height that puts the arc's apex at 88 kHz (f_apex ∝ 1/h nearly:
fixed-point steps on that ratio).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from common import (
    config,
    markdown_table,
    refinement_change,
    savefig,
    solve,
    solve_dc,
    write_json,
)
from scipy.optimize import brentq

TARGET_R, TARGET_F = 53.0, 88e3  # Ω·cm², Hz
SPACINGS_UM = [100, 200, 700]
PATH_SPACING_UM = 200
PATH_SCALE = [1.0, 2.5, 7.0]  # spot radius / matched radius along the pressure path
THIN_GAP_NM = 2.0  # path B end: the gap height that gives the measured C at 4.2 MPa
BASE = {
    "cell": {"shape": "patch", "side": "200 um", "thickness": "2 mm"},
    "interface": {
        "kind": "spots",
        "placement": "single",
        "radius": "8 um",
        "height": "30 nm",
        "gap_model": "thin",
    },
    "materials": {"electrolyte": {"preset": "NZSP-polycrystal"}},
    "solver": {"degree": 2},
    "frequencies": {"max": "100 MHz", "min": "100 Hz", "points_per_decade": 10},
}


def case(s_um: float, a_um: float, h_nm: float, **extra):
    return config(
        BASE,
        **{
            "cell.side": f"{s_um} um",
            "interface.radius": f"{a_um} um",
            "interface.height": f"{h_nm} nm",
        },
        **extra,
    )


def match(s_um: float) -> dict:
    """The spot radius and gap height of spacing ``s_um`` that give the measured arc."""
    probe = solve(case(s_um, 0.05 * s_um, 30))
    full = float(probe.full_contact(0.0)[0].real)  # L/σ_eff: the full-contact part, exact
    sigma = probe.cfg.cell.thickness / (full * 1e-4)  # S/m, σ_eff at DC
    a0 = (s_um * 1e-6) ** 2 / (4 * sigma * TARGET_R * 1e-4) * 1e6  # Newman, no correction
    calls = []

    def excess(log_a: float) -> float:
        r, _ = solve_dc(case(s_um, math.exp(log_a), 30))
        calls.append(r)
        return r - full - TARGET_R

    a = math.exp(
        brentq(excess, math.log(0.5 * a0), math.log(min(2.5 * a0, 0.45 * s_um)), xtol=2e-3)
    )
    h = 27.0  # ≈ ε0/(34 nF/cm²): the parallel-plate estimate
    for _ in range(5):
        sv = solve(case(s_um, a, h))
        arc = sv.interface()
        if abs(math.log(arc.apex_frequency_Hz / TARGET_F)) < 0.005:
            break
        h *= TARGET_F / arc.apex_frequency_Hz
    return {
        "spacing_um": s_um,
        "radius_um": a,
        "height_nm": h,
        "contact_fraction": math.pi * a * a / s_um**2,
        "dc_evaluations": len(calls),
        "spots_per_mm2": 1e6 / s_um**2,
        **arc.as_dict(),
        "spectrum": sv,
    }


def pressure_path(member: dict) -> list[dict]:
    """Contacts growing at fixed h (A) and growing while the gap thins to THIN_GAP_NM (B)."""
    rows = []
    h0 = member["height_nm"]
    for k, scale in enumerate(PATH_SCALE):
        a = member["radius_um"] * scale
        s = member["spacing_um"]
        thin = h0 * (THIN_GAP_NM / h0) ** (k / (len(PATH_SCALE) - 1))
        for variant, h in (("A: fixed gap", h0), ("B: gap thins", thin)):
            arc = solve(case(s, a, h)).interface()
            rows.append(
                {
                    "variant": variant,
                    "radius_um": a,
                    "height_nm": h,
                    "contact_fraction": math.pi * a * a / s**2,
                    **arc.as_dict(),
                }
            )
    return rows


def run() -> dict:
    family = [match(s) for s in SPACINGS_UM]
    spectra = [m.pop("spectrum") for m in family]
    middle = next(m for m in family if m["spacing_um"] == PATH_SPACING_UM)
    path = pressure_path(middle)
    low_eps = {
        "electrolyte": {
            "preset": "NZSP-polycrystal",
            "permittivity": 30,
            "grain_boundaries": {"permittivity": 30},
        }
    }
    eps30 = solve(
        case(PATH_SPACING_UM, middle["radius_um"], middle["height_nm"], materials=low_eps)
    )
    sensitivity = {
        "eps_r": 30,
        "interface_arc": eps30.interface().as_dict(),
        "arcs_Hz": [a.apex_frequency_Hz for a in eps30.spectrum.arcs()],
    }
    accuracy = refinement_change(case(PATH_SPACING_UM, middle["radius_um"], middle["height_nm"]))
    out = {
        "family": family,
        "path": path,
        "permittivity_sensitivity": sensitivity,
        "refinement_change": accuracy,
        "arcs_Hz_of_family": [[a.apex_frequency_Hz for a in s.spectrum.arcs()] for s in spectra],
    }
    write_json("item2_pressure", out)
    figures(family, spectra, path)
    markdown_table(
        "item2_family",
        [
            "spacing (µm)",
            "spots/mm²",
            "spot radius (µm)",
            "contact fraction",
            "gap h (nm)",
            "R_int (Ω·cm²)",
            "apex (kHz)",
            "C_int (nF/cm²)",
        ],
        [
            [
                m["spacing_um"],
                m["spots_per_mm2"],
                m["radius_um"],
                m["contact_fraction"],
                m["height_nm"],
                m["resistance_ohm_cm2"],
                m["apex_frequency_Hz"] / 1e3,
                m["capacitance_F_per_cm2"] * 1e9,
            ]
            for m in family
        ],
    )
    markdown_table(
        "item2_path",
        [
            "path",
            "spot radius (µm)",
            "contact fraction",
            "gap h (nm)",
            "R_int (Ω·cm²)",
            "apex (kHz)",
            "C_int (nF/cm²)",
        ],
        [
            [
                p["variant"],
                p["radius_um"],
                p["contact_fraction"],
                p["height_nm"],
                p["resistance_ohm_cm2"],
                p["apex_frequency_Hz"] / 1e3,
                p["capacitance_F_per_cm2"] * 1e9,
            ]
            for p in path
        ],
    )
    return out


def figures(family: list[dict], spectra: list, path: list[dict]) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.6), layout="constrained")
    for m, sv in zip(family, spectra, strict=True):
        z = sv.z
        ax.plot(
            z.real,
            -z.imag,
            "-",
            lw=1.2,
            label=f"s = {m['spacing_um']} µm, a = {m['radius_um']:.3g} µm, "
            f"h = {m['height_nm']:.3g} nm",
        )
        i = int(np.argmin(np.abs(np.log(sv.spectrum.frequency / TARGET_F))))
        ax.plot(z.real[i], -z.imag[i], "k^", ms=5)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("Re Z (Ω·cm²)")
    ax.set_ylabel("−Im Z (Ω·cm²)")
    ax.set_title(
        "Na|NZSP at ~1 N: four morphologies, one spectrum (triangles: 88 kHz)", fontsize=10
    )
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    savefig(fig, "item2_family_nyquist")
    plt.close(fig)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for variant, style in (("A: fixed gap", "o-"), ("B: gap thins", "s--")):
        rows = [p for p in path if p["variant"] == variant]
        f = [p["contact_fraction"] for p in rows]
        a1.loglog(f, [p["resistance_ohm_cm2"] for p in rows], style, label=variant)
        a2.loglog(f, [p["capacitance_F_per_cm2"] * 1e9 for p in rows], style, label=variant)
    for y, label in ((53, "53 (~1 N)"), (25, "25 (1.7 MPa)"), (7, "7 (4.2 MPa)")):
        a1.axhline(y, color="0.6", lw=0.8)
        a1.text(a1.get_xlim()[0], y, label, fontsize=7, va="bottom")
    a2.axhline(34, color="0.6", lw=0.8)
    a2.axhspan(373, 1030, color="C2", alpha=0.15, label="from the DRT peaks at 4.2 MPa")
    a1.set_xlabel("contact fraction")
    a2.set_xlabel("contact fraction")
    a1.set_ylabel("R_int (Ω·cm²)")
    a2.set_ylabel("C_int (nF/cm²)")
    a1.set_title("pressure path: contact spots grow", fontsize=10)
    a2.set_title("C_int = 1/(2π f_apex R_int)", fontsize=10)
    for ax in (a1, a2):
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    savefig(fig, "item2_pressure_path")
    plt.close(fig)


if __name__ == "__main__":
    run()
