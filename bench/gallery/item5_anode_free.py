"""Item 5: anode-free current collectors (Deysher, PhD thesis UCSD 2024, ch. 2; Tseng, Lee,
Sakamoto, ACS Energy Lett. 2024, 9, 4544): where Na plates under a collector touching at a few
spots (Al foil) and under a conforming one (cold-pressed Al powder), and what the local current
density amplification implies for the critical current densities (1.2 vs 6.0 mA/cm²).

DC plating at −1.2 mA/cm² (the foil's CCD), Butler–Volmer kinetics on the contacts, NBH
(1.8 mS/cm; the thesis's closo-borate). Neither source gives an exchange current density: the
base value is i0 = RT/(F·1.3 Ω·cm²) ≈ 20 mA/cm², the Na|NZSP charge-transfer resistance of
Ortmann's thesis, with 1 mA/cm² and the primary distribution (i0 → ∞) as the sensitivity.
Foil: random contact spots (radius 4 µm) on 5 % of a 60 µm patch (the thesis: "only a small
area of the foil was plated"); pellet: random gaps (radius 4 µm) on 10 % (roughness and the
0–3 % porosity of the Al pellet leave most of it in contact). 1 µm gaps elsewhere (no current
at DC). The amplification is read from mesh-robust metrics (percentiles of |j|/j_nominal and
the mean over the contact), not from the singular peak. The base cases (i0 = 20 mA/cm²) are
solved again at P2 on the same mesh: p-enrichment error bars of those metrics.
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
from common import config, markdown_table, pm, progress, savefig, write_json

import eisfem  # noqa: F401
from eisfem.geometry import tags
from eisfem.postprocess import render
from eisfem.postprocess.focusing import ContactFocusing
from eisfem.simulation.cell_terms import charge_transfer
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.applied_current import AppliedCurrentProblem
from eisfem.solvers.error_estimate import enrichment_ratio
from eisfem.solvers.interface_current import InterfaceFlux

J_APPLIED = -12.0  # A/m² = −1.2 mA/cm², plating
R_CT_BASE = 1.3e-4  # Ω·m²: Na|NZSP (Ortmann), the stand-in for Na|NBH
I0_BASE = 8.314 * 298.15 / (96485.0 * R_CT_BASE)  # ≈ 198 A/m² ≈ 20 mA/cm²
I0_LOW = 10.0  # A/m² = 1 mA/cm²
PERCENTILES = [50.0, 90.0, 99.0]
BASE = {
    "cell": {"shape": "patch", "side": "60 um", "thickness": "40 um"},
    "materials": {"electrolyte": {"preset": "NBH"}},
    "kinetics": {"we": {"exchange_current_density": f"{I0_BASE} A/m^2"}},
    # P1 on a 1.5× refined mesh: Butler–Volmer costs a factorization per Newton step, and the
    # metrics read here (percentiles, means) converge with kinetics (docs/convergence.md)
    "solver": {"degree": 1},
    "mesh": {"refine": 1.5},
}
COLLECTORS = {
    "foil": {
        "kind": "spots",
        "placement": "random",
        "radius": "4 um",
        "area_fraction": 0.05,
        "height": "1 um",
        "gap_model": "thin",
        "seed": 3,
    },
    "pellet": {
        "kind": "pores",
        "shape": "cylinder",
        "placement": "random",
        "radius": "4 um",
        "area_fraction": 0.10,
        "height": "1 um",
        "gap_model": "thin",
        "seed": 3,
    },
}
FOIL_FRACTIONS = [0.2]  # besides the 0.05 of the base case


def plating(system, cfg, i0: float | None):
    """DC plating at J_APPLIED on ``system``: (solution, its flux, focusing metrics, η)."""
    bundle = system.bundle
    if i0 is None:
        problem = AppliedCurrentProblem(system, ideal=[tags.WE_CONTACT])
    else:
        problem = AppliedCurrentProblem(
            system,
            butler_volmer={tags.WE_CONTACT: charge_transfer(cfg.kinetics.we, cfg.temperature)},
        )
    dc = problem.at_current(J_APPLIED * bundle.electrode_area)
    flux = InterfaceFlux(system)
    focus = ContactFocusing(flux)
    m = focus.metrics(
        dc.solution, dc.current, bundle.electrode_area, [1e-6], [2.0, 5.0], PERCENTILES
    )
    contact = m["contact_area_m2"] / bundle.electrode_area
    numbers = {
        "contact_fraction": contact,
        "mean_over_contact": m["contact_current_fraction"] / contact,
        **{k: v for k, v in m["percentiles"].items()},
        "peak": m["peak"],
        "peak_mesh_sensitivity": m["peak_mesh_sensitivity"],
        "edge_band_1um_current_fraction": m["bands"][0]["current_fraction"] if m["bands"] else 0,
        "overpotential_V": dc.voltage,
        "dofs": system.dofs,
    }
    return dc, flux, focus, numbers


ESTIMATED = ("mean_over_contact", "p50", "p90", "p99", "overpotential_V")


def distribution(
    interface: dict, i0: float | None, title: str, panels: list | None, estimate: bool = False
) -> dict:
    """Focusing metrics of the DC distribution (i0 None: primary, ideal contacts); with
    ``estimate`` also solved at degree + 1 on the same mesh for p-enrichment error bars."""
    start = time.perf_counter()
    i0_field = {"kinetics.we.exchange_current_density": f"{i0 or I0_BASE} A/m^2"}
    cfg = config(BASE, interface=interface, **i0_field)
    bundle = build_mesh(cfg)
    system = build_system(cfg, bundle)
    dc, flux, focus, row = plating(system, cfg, i0)
    progress(f"DC plating, {interface['kind']}, i0 {i0}, {system.dofs} dofs", start)
    if panels is not None:
        panels.append(render.map_panel(title, 0.0, flux, dc.solution, dc.current, focus.edges))
    row["error_estimate"] = None
    if estimate:
        start = time.perf_counter()
        fine = plating(system.with_degree(system.degree + 1), cfg, i0)[3]
        rho = enrichment_ratio(system.degree)
        row["error_estimate"] = {
            "method": f"p-enrichment P{system.degree} → P{system.degree + 1}, ratio {rho:.3g}",
            **{k: abs(row[k] - fine[k]) / (1 - rho) for k in ESTIMATED},
        }
        progress(f"  P{system.degree + 1} reference, {fine['dofs']} dofs", start)
    return row


def run() -> dict:
    out: dict = {"applied_A_m2": J_APPLIED, "i0_base_A_m2": I0_BASE, "cases": []}
    panels: list = []
    for name, interface in COLLECTORS.items():
        for label, i0 in (
            ("i0 = 20 mA/cm²", I0_BASE),
            ("i0 = 1 mA/cm²", I0_LOW),
            ("primary", None),
        ):
            base_case = label.startswith("i0 = 20")
            keep = panels if base_case else None
            row = distribution(interface, i0, f"{name}, DC plating, {label}", keep, base_case)
            out["cases"].append({"collector": name, "kinetics": label, **row})
    for f in FOIL_FRACTIONS:  # the foil's contact fraction: how much amplification gives 5×
        row = distribution(COLLECTORS["foil"] | {"area_fraction": f}, I0_BASE, "", None)
        out["cases"].append(
            {"collector": f"foil, contact {f:g}", "kinetics": "i0 = 20 mA/cm²", **row}
        )
    base = {c["collector"]: c for c in out["cases"] if c["kinetics"] == "i0 = 20 mA/cm²"}
    out["ratio_foil_to_pellet"] = {
        k: base["foil"][k] / base["pellet"][k] for k in ("mean_over_contact", "p50", "p90", "p99")
    }
    out["measured_ccd_ratio"] = 6.0 / 1.2
    write_json("item5_anode_free", out)
    render.current_maps([p for p in panels if p is not None], savefig_path("item5_current_maps"))
    markdown_table(
        "item5_anode_free",
        [
            "collector",
            "kinetics",
            "contact fraction",
            "mean |j|/j_nom on contact",
            "p50",
            "p90",
            "p99",
            "peak (mesh-dep.)",
            "η (mV)",
        ],
        [
            [
                c["collector"],
                c["kinetics"],
                c["contact_fraction"],
                pm(c["mean_over_contact"], err(c, "mean_over_contact")),
                pm(c["p50"], err(c, "p50")),
                pm(c["p90"], err(c, "p90")),
                pm(c["p99"], err(c, "p99")),
                c["peak"],
                pm(c["overpotential_V"], err(c, "overpotential_V"), 1e3),
            ]
            for c in out["cases"]
        ],
    )
    figure(out)
    return out


def err(case: dict, key: str) -> float | None:
    return None if case["error_estimate"] is None else case["error_estimate"][key]


def savefig_path(name: str):
    from common import OUT

    OUT.mkdir(parents=True, exist_ok=True)
    return OUT / f"{name}.png"


def figure(out: dict) -> None:
    rows = [c for c in out["cases"] if c["kinetics"] == "i0 = 20 mA/cm²"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    f = [c["contact_fraction"] for c in rows]
    for key, style in (("mean_over_contact", "o"), ("p90", "s"), ("p99", "^")):
        ax.loglog(f, [c[key] for c in rows], style, label=key.replace("_", " "))
    x = sorted(f)
    ax.loglog(x, [1 / v for v in x], "k:", lw=1, label="1 / contact fraction")
    ax.set_xlabel("contact fraction of the collector")
    ax.set_ylabel("|j| / j_nominal on the contact")
    ax.set_title("Current amplification at the contacts (DC plating, Butler–Volmer)", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    savefig(fig, "item5_amplification")


if __name__ == "__main__":
    run()
