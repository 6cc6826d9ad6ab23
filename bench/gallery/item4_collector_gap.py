"""Item 4: Na deposition at Cu|NZSP (Ortmann et al., Adv. Energy Mater. 2024, 14, 2302729).

Measured (Publication II): a ≈ 100 nm gap between the evaporated Cu and the NZSP already in
the pristine cell; during deposition R_SE (bulk + grain boundaries) rises slightly, which the
authors explain by gaps that are "no longer dielectrically shorted even in the frequency range
of the grain boundary transport process" (active area lost), while Na islands and filaments
that bridge or penetrate lower it; C_int falls as the gap height grows at unchanged contact.

Model: the NZSP polycrystal preset 2 mm thick (the patch is 1 mm thick, the rest added as its
exact 1D impedance); the collector (Cu with Na where it touches) is lifted off the NZSP in
stripes 400 µm wide every 500 µm (a delaminated region, 80 % of the area) at gap height h
(thin-gap model); optionally Na islands (nuclei of 10 µm radius, 16 per mm²) bridging the gap,
or a Na filament (radius 10 µm, 100 or 300 µm deep) grown from the collector through the 1 µm
gap into the NZSP at the centre of each 500 µm patch (4 per mm²): `interface.filament`, a metal
cylinder whose wall and end face are electrode surfaces.
The apparent R_SE is Re Z one decade below the grain-boundary apex of the full-contact cell,
where that cell's spectrum has closed its grain-boundary arc (Re Z there is R_SE to 1 %): what
an analyst reads as bulk + grain boundaries when the interface arc lies further down. Whatever
part of the gaps is not yet shorted by their capacitance at that frequency adds to it.
Every case is solved again at P3 on the same mesh: p-enrichment error bars of the numbers.
"""

from __future__ import annotations

import contextlib
import math

import matplotlib.pyplot as plt
import numpy as np
from common import Solved, config, error_bars, markdown_table, pm, savefig, solve, write_json

from eisfem.postprocess.interface_arc import apparent_electrolyte_resistance as apparent_r_se
from eisfem.postprocess.interface_arc import area_spectrum

PELLET = 2e-3  # m
HEIGHTS_NM = [10, 100, 1000]
WINDOW_HZ = 7e6  # the analyser's highest frequency
ISLAND_HEIGHTS_NM = [1000]
BASE = {
    "cell": {"shape": "patch", "side": "500 um", "thickness": "1 mm"},
    "interface": {
        "kind": "collector",
        "pattern": "stripes",
        "stripe_width": "400 um",
        "stripe_period": "500 um",
        "height": "100 nm",
        "gap_model": "thin",
        "seed": 1,
    },
    "materials": {"electrolyte": {"preset": "NZSP-polycrystal"}},
    "solver": {"degree": 2},
    "frequencies": {"max": "100 MHz", "min": "1 Hz", "points_per_decade": 12},
}
FILAMENT_HEIGHT_NM = 1000
FILAMENTS = [{"radius": "10 um", "depth": d} for d in ("100 um", "300 um")]
ISLANDS = {"interface.nuclei_radius": "10 um", "interface.nuclei_density": "16 / mm^2"}


def numbers(sv: Solved) -> dict[str, float]:
    """The table's numbers of one solved case (also read at P3 for their error bars)."""
    w = 2 * np.pi * sv.spectrum.frequency
    rest = sv.full_contact(w) * (PELLET / sv.cfg.cell.thickness - 1)
    r_se, _ = apparent_r_se(sv.spectrum.frequency, sv.z + rest, sv.full_contact(w) + rest)
    out = {
        "apparent_r_se_ohm_cm2": r_se,
        "resistance_ohm_cm2": sv.r_dc - float(sv.full_contact(0.0)[0].real),
    }
    with contextlib.suppress(ValueError):  # a deep filament can leave no interface arc
        arc = sv.interface()
        out["capacitance_F_per_cm2"] = arc.capacitance_F_per_cm2
        out["apex_frequency_Hz"] = arc.apex_frequency_Hz
    return out


def one(h_nm: float, islands: bool, filament: dict | None = None) -> dict:
    extra = (ISLANDS if islands else {}) | ({"interface.filament": filament} if filament else {})
    cfg = config(BASE, **{"interface.height": f"{h_nm} nm"}, **extra)
    sv = solve(cfg)
    w = 2 * np.pi * sv.spectrum.frequency
    rest = sv.full_contact(w) * (PELLET / cfg.cell.thickness - 1)
    z = sv.z + rest
    z_full = sv.full_contact(w) + rest
    r_se_true, f_read = apparent_r_se(sv.spectrum.frequency, z_full, z_full)
    return {
        "height_nm": h_nm,
        "islands": islands,
        "filament": filament,
        "contact_fraction": sv.bundle.info["contact_fraction"],
        "filament_area_m2": sv.bundle.info.get("filament_area_m2", 0.0),
        "read_at_Hz": f_read,
        "full_contact_r_se_ohm_cm2": r_se_true,
        "arcs_Hz": [
            a.apex_frequency_Hz
            for a in area_spectrum(sv.spectrum.frequency, z).arcs()
            if a.apex_frequency_Hz <= WINDOW_HZ
        ],
        **numbers(sv),
        "error_estimate": error_bars(numbers, sv),
    }


def run() -> list[dict]:
    rows = [one(h, False) for h in HEIGHTS_NM] + [one(h, True) for h in ISLAND_HEIGHTS_NM]
    rows += [one(FILAMENT_HEIGHT_NM, False, f) for f in FILAMENTS]
    write_json("item4_collector_gap", rows)
    figure(rows)
    markdown_table(
        "item4_collector_gap",
        [
            "gap h (nm)",
            "Na islands",
            "filament",
            "contact fraction",
            "apparent R_SE (Ω·cm²)",
            "full-contact R_SE",
            "R_int (Ω·cm²)",
            "C_int (nF/cm²)",
            "interface apex (kHz)",
            "apexes of Z (kHz)",
        ],
        [
            [
                r["height_nm"],
                "yes" if r["islands"] else "no",
                describe(r["filament"]),
                r["contact_fraction"],
                pm(r["apparent_r_se_ohm_cm2"], r["error_estimate"]["apparent_r_se_ohm_cm2"]),
                r["full_contact_r_se_ohm_cm2"],
                pm(r["resistance_ohm_cm2"], r["error_estimate"]["resistance_ohm_cm2"]),
                pm(
                    r.get("capacitance_F_per_cm2", math.nan),
                    r["error_estimate"].get("capacitance_F_per_cm2"),
                    1e9,
                ),
                pm(
                    r.get("apex_frequency_Hz", math.nan),
                    r["error_estimate"].get("apex_frequency_Hz"),
                    1e-3,
                ),
                ", ".join(f"{f / 1e3:.3g}" for f in r["arcs_Hz"]),
            ]
            for r in rows
        ],
    )
    return rows


def describe(filament: dict | None) -> str:
    return "no" if filament is None else f"r {filament['radius']}, {filament['depth']} deep"


def figure(rows: list[dict]) -> None:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    plain = [r for r in rows if not r["islands"] and not r["filament"]]
    isl = [r for r in rows if r["islands"]]
    fil = [r for r in rows if r["filament"]]
    h = [r["height_nm"] for r in plain]
    a1.semilogx(h, [r["apparent_r_se_ohm_cm2"] for r in plain], "o-", label="gaps")
    a1.semilogx(
        [r["height_nm"] for r in isl],
        [r["apparent_r_se_ohm_cm2"] for r in isl],
        "s",
        ms=8,
        label="gaps + Na islands",
    )
    for r, marker in zip(fil, ("v", "D"), strict=False):
        a1.semilogx(
            r["height_nm"],
            r["apparent_r_se_ohm_cm2"],
            marker,
            ms=8,
            label=f"gaps + filament ({describe(r['filament'])})",
        )
    a1.axhline(plain[0]["full_contact_r_se_ohm_cm2"], color="0.5", ls=":", label="full contact")
    a1.set_xlabel("gap height (nm)")
    a1.set_ylabel("apparent R_SE (Ω·cm²)")
    a1.set_title("apparent R_SE: Re Z a decade below the GB apex", fontsize=10)
    a2.loglog(h, [r["capacitance_F_per_cm2"] * 1e9 for r in plain], "o-", label="gaps")
    a2.loglog(
        [r["height_nm"] for r in isl],
        [r["capacitance_F_per_cm2"] * 1e9 for r in isl],
        "s",
        ms=8,
        label="gaps + Na islands",
    )
    a2.set_xlabel("gap height (nm)")
    a2.set_ylabel("C_int (nF/cm²)")
    a2.set_title("interface capacitance falls as the gap grows", fontsize=10)
    for ax in (a1, a2):
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    savefig(fig, "item4_collector_gap")


if __name__ == "__main__":
    run()
