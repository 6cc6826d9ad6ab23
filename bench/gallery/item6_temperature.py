"""Item 6: the apparent activation energy of the constriction arc ([Ortmann2023] §2.2.2 and
SI §8): between E_a,bulk = 0.26 eV and E_a,GB = 0.36 eV, approaching the grain-boundary value
when many grain boundaries lie near the contacts (measured: E_a,int = 0.37 eV; at −40 °C an
interface arc of ≈ 1.4 kHz and ≈ 0.1 µF/cm²).

The morphology is item 2's match at 200 µm spacing (spot radius 3.39 µm, 26.9 nm vacuum gap) on
the NZSP polycrystal preset. The mesh is built once; only the media change with temperature.
E_a comes from the Arrhenius line of ln(T/R_int) over 1/T (R_int: the DC interface resistance)
and, independently, from the apex frequency (f_apex ∝ 1/R_int when C_int does not depend on T).
The number of grain boundaries near the contacts is varied through the grain size at fixed
boundary thickness (83 nm): 0.5 µm grains have three times the boundary density of the
preset's 1.5 µm, 50 µm grains almost none. The preset's series is solved again at P3 on the
same mesh (one mesh serves all three series: only the media differ): p-enrichment error bars
of E_a and of the −40 °C arc.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from common import config, enriched, markdown_table, pm, savefig, solve, write_json

import eisfem  # noqa: F401
from eisfem.simulation.model import build_mesh
from eisfem.solvers.arrhenius import apparent_activation_energy
from eisfem.solvers.error_estimate import enrichment_ratio

TEMPERATURES_C = [-40.0, 0.0, 40.0]
GRAIN_SIZES_UM = [0.5, 1.5, 50.0]
ESTIMATED_GRAIN_UM = 1.5  # the series solved again at P3 (same mesh for all three series)
MORPHOLOGY = {
    "cell": {"shape": "patch", "side": "200 um", "thickness": "2 mm"},
    "interface": {
        "kind": "spots",
        "placement": "single",
        "radius": "3.39 um",
        "height": "26.9 nm",
        "gap_model": "thin",
    },
    "solver": {"degree": 2},
    "frequencies": {"max": "100 MHz", "min": "10 Hz", "points_per_decade": 10},
}


def series(grain_um: float) -> dict:
    gb = {"grain_size": f"{grain_um} um"}
    base = config(
        MORPHOLOGY,
        materials={"electrolyte": {"preset": "NZSP-polycrystal", "grain_boundaries": gb}},
    )
    bundle = build_mesh(base)
    rows, fine = [], []
    for t in TEMPERATURES_C:
        cfg = base.model_copy(update={"temperature": t + 273.15})
        sv = solve(cfg, bundle)
        rows.append({"temperature_C": t, **sv.interface().as_dict()})
        if grain_um == ESTIMATED_GRAIN_UM:
            fine.append(enriched(sv).interface().as_dict())
    T = [r["temperature_C"] + 273.15 for r in rows]
    energies = activation_energies(T, rows)
    out = {
        "grain_size_um": grain_um,
        "boundary_fraction": base.materials.electrolyte.grain_boundaries.thickness
        / base.materials.electrolyte.grain_boundaries.grain_size,
        "rows": rows,
        **energies,
        "error_estimate": None,
    }
    if not fine:
        return out
    energies_p3 = activation_energies(T, fine)
    degree = MORPHOLOGY["solver"]["degree"]
    rho = enrichment_ratio(degree)
    cold, cold_p3 = rows[0], fine[0]
    return out | {
        "error_estimate": {
            "method": f"p-enrichment P{degree} → P{degree + 1} at every temperature, "
            f"ratio {rho:.3g}",
            **{k: abs(energies[k] - energies_p3[k]) / (1 - rho) for k in energies},
            **{
                f"{k}_at_minus40C": abs(cold[k] - cold_p3[k]) / (1 - rho)
                for k in ("resistance_ohm_cm2", "apex_frequency_Hz", "capacitance_F_per_cm2")
            },
        },
    }


def activation_energies(T: list[float], arcs: list[dict]) -> dict[str, float]:
    """E_a from the Arrhenius lines of R_int and of 1/f_apex."""
    return {
        "activation_energy_eV": apparent_activation_energy(
            T, [a["resistance_ohm_cm2"] for a in arcs]
        ),
        "activation_energy_from_apex_eV": apparent_activation_energy(
            T, [1 / a["apex_frequency_Hz"] for a in arcs]
        ),
    }


def run() -> dict:
    out = {
        "series": [series(d) for d in GRAIN_SIZES_UM],
        "measured": {
            "activation_energy_eV": 0.37,
            "apex_minus40C_Hz": 1.4e3,
            "capacitance_minus40C_F_per_cm2": 1e-7,
        },
    }
    write_json("item6_temperature", out)
    figure(out)
    markdown_table(
        "item6_temperature",
        [
            "grain size (µm)",
            "δ/d",
            "E_a from R_int (eV)",
            "E_a from f_apex (eV)",
            "R_int at −40 °C (Ω·cm²)",
            "apex at −40 °C (kHz)",
            "C_int at −40 °C (nF/cm²)",
        ],
        [
            [
                s["grain_size_um"],
                s["boundary_fraction"],
                pm(s["activation_energy_eV"], e(s, "activation_energy_eV")),
                pm(s["activation_energy_from_apex_eV"], e(s, "activation_energy_from_apex_eV")),
                pm(s["rows"][0]["resistance_ohm_cm2"], e(s, "resistance_ohm_cm2_at_minus40C")),
                pm(
                    s["rows"][0]["apex_frequency_Hz"],
                    e(s, "apex_frequency_Hz_at_minus40C"),
                    1e-3,
                ),
                pm(
                    s["rows"][0]["capacitance_F_per_cm2"],
                    e(s, "capacitance_F_per_cm2_at_minus40C"),
                    1e9,
                ),
            ]
            for s in out["series"]
        ],
    )
    return out


def e(series_row: dict, key: str) -> float | None:
    estimate = series_row["error_estimate"]
    return None if estimate is None else estimate[key]


def figure(out: dict) -> None:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for s in out["series"]:
        T = np.array([r["temperature_C"] + 273.15 for r in s["rows"]])
        R = np.array([r["resistance_ohm_cm2"] for r in s["rows"]])
        a1.semilogy(
            1000 / T,
            R / T,
            "o-",
            label=f"d = {s['grain_size_um']:g} µm: {s['activation_energy_eV']:.3f} eV",
        )
    a1.set_xlabel("1000 / T (1/K)")
    a1.set_ylabel("R_int / T (Ω·cm²/K)")
    a1.set_title("Arrhenius plot of the constriction arc", fontsize=10)
    a1.legend(fontsize=8)
    a1.grid(alpha=0.3, which="both")
    d = [s["grain_size_um"] for s in out["series"]]
    a2.semilogx(d, [s["activation_energy_eV"] for s in out["series"]], "o-", label="from R_int")
    a2.semilogx(
        d, [s["activation_energy_from_apex_eV"] for s in out["series"]], "s--", label="from f_apex"
    )
    for y, label in ((0.26, "E_a,bulk"), (0.36, "E_a,GB"), (0.37, "measured E_a,int")):
        a2.axhline(y, color="0.5", lw=0.8, ls=":")
        a2.text(d[-1], y, label, fontsize=7, ha="right", va="bottom")
    a2.set_xlabel("grain size (µm), boundary thickness 83 nm")
    a2.set_ylabel("apparent E_a (eV)")
    a2.set_title("more grain boundaries near the contacts → E_a,GB", fontsize=10)
    a2.legend(fontsize=8)
    a2.grid(alpha=0.3, which="both")
    savefig(fig, "item6_temperature")


if __name__ == "__main__":
    run()
