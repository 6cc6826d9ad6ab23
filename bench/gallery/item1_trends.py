"""Item 1: constriction trends (Ortmann's thesis Fig. 2b, after Eckhardt et al., ACS Appl.
Mater. Interfaces 2022, 14, 35545): R_cstr, C_cstr, τ_cstr when (i) the contact ("electrode")
area shrinks, (ii) the number of contact spots rises at constant contact area, (iii) the
electrode moves off-centre, (iv) the pores get deeper.

NZSP as one homogeneous medium (5.5 mS/cm, εr 30: the "NZSP" preset), so the bulk arc sits
near 300 MHz, far above every constriction arc (the validity condition the thesis states for
Fig. 2b). Lengths are a 1:10 model of the 10 mm × 2 mm pellet; trends do not depend on scale.
The interface arc is the spectrum minus that of the same electrode in full contact.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from common import config, markdown_table, refinement_change, savefig, solve, solve_dc, write_json

NZSP = {"electrolyte": {"preset": "NZSP"}}
FREQ = {"max": "1 GHz", "min": "1 kHz", "points_per_decade": 10}
SOLVER = {"degree": 2}
GAP = {"height": "100 nm", "gap_model": "thin"}

# (i) one central contact disk on a pellet, the metal above the rest at a 100 nm gap
PELLET = {
    "cell": {"shape": "cylinder", "radius": "500 um", "thickness": "200 um"},
    "interface": {"kind": "spots", "placement": "single", "radius": "200 um", **GAP},
    "materials": NZSP,
    "solver": SOLVER,
    "frequencies": FREQ,
}
# (ii) contact fraction 0.1 in spots on a square lattice: one spot per mirror-walled cell, so
# more spots on the same area = a smaller cell
LATTICE = {
    "cell": {"shape": "patch", "side": "240 um", "thickness": "200 um"},
    "interface": {"kind": "spots", "placement": "single", "area_fraction": 0.1, **GAP},
    "materials": NZSP,
    "solver": SOLVER,
    "frequencies": FREQ,
}
# (iii) a 200 µm electrode touching through a central 100 µm spot, moved off the pellet axis
OFFSET = {
    "cell": {
        "shape": "cylinder",
        "radius": "500 um",
        "thickness": "200 um",
        "electrode_radius": "200 um",
        "electrode_offset": "0 um",
    },
    "interface": {"kind": "spots", "placement": "single", "radius": "100 um", **GAP},
    "materials": NZSP,
    "solver": SOLVER,
    "frequencies": FREQ,
}
# (iv) flat voids (meshed) at contact fraction 0.5, of growing depth
PORES = {
    "cell": {"shape": "patch", "side": "100 um", "thickness": "100 um"},
    "interface": {
        "kind": "pores",
        "shape": "cylinder",
        "placement": "single",
        "radius": "39.9 um",
        "height": "20 nm",
    },
    "materials": NZSP,
    "solver": SOLVER,
    "frequencies": FREQ,
}

# name: (base, field, values, unit, axis label, trend of the parameter the thesis names)
SERIES = {
    "i": (
        PELLET,
        "interface.radius",
        [250, 120, 60],
        "um",
        "contact radius (µm), shrinking",
        "(i) contact area decreases",
    ),
    "ii": (
        LATTICE,
        "cell.side",
        [240, 120, 80, 60],
        "um",
        "spots per (240 µm)²: 1, 4, 9, 16",
        "(ii) more spots, same contact area",
    ),
    "iii": (
        OFFSET,
        "cell.electrode_offset",
        [0, 150, 300],
        "um",
        "electrode offset (µm)",
        "(iii) electrode off-centre",
    ),
    "iv": (
        PORES,
        "interface.height",
        [20, 100, 400, 1500],
        "nm",
        "pore depth (nm)",
        "(iv) pore depth grows",
    ),
}


def run() -> dict:
    out = {}
    for name, (base, key, values, unit, _, title) in SERIES.items():
        rows = []
        for v in values:
            cfg = config(base, **{key: f"{v} {unit}"})
            reference = None
            if name == "iii":  # subtract the electrode's own static constriction (full contact)
                reference, _ = solve_dc(
                    config(base, **{key: f"{v} {unit}"}, interface={"kind": "full"})
                )
            sv = solve(cfg)
            arc = sv.interface(reference)
            rows.append(
                {
                    "value": v,
                    "unit": unit,
                    "dofs": sv.system.dofs,
                    "r_dc_ohm_cm2": sv.r_dc,
                    **arc.as_dict(),
                }
            )
        out[name] = {"title": title, "field": key, "rows": rows}
    # accuracy: one case (the meshes of all series are built by the same sizing rules)
    out["ii"]["refinement"] = refinement_change(config(LATTICE, **{"cell.side": "120 um"}))
    write_json("item1_trends", out)
    figure(out)
    table(out)
    return out


def figure(out: dict) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5), layout="constrained")
    for ax, (name, data) in zip(axes.ravel(), out.items(), strict=True):
        rows = data["rows"]
        x = range(len(rows))
        for key, label, style in (
            ("resistance_ohm_cm2", "R_cstr", "o-"),
            ("capacitance_F_per_cm2", "C_cstr", "s--"),
            ("tau_s", "τ_cstr", "^:"),
            ("r_dc_ohm_cm2", "R_dc (whole cell)", "x-."),
        ):
            y = [r[key] / rows[0][key] for r in rows]
            ax.semilogy(list(x), y, style, label=label)
        ax.set_xticks(list(x), [f"{r['value']:g}" for r in rows])
        ax.set_xlabel(SERIES[name][4])
        ax.set_ylabel("relative to the first case")
        ax.set_title(data["title"], fontsize=10)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    savefig(fig, "item1_trends")


def table(out: dict) -> None:
    rows = []
    for name, data in out.items():
        for r in data["rows"]:
            rows.append(
                [
                    name,
                    f"{r['value']:g} {r['unit']}",
                    r["resistance_ohm_cm2"],
                    r["capacitance_F_per_cm2"] * 1e9,
                    r["tau_s"] * 1e9,
                    r["apex_frequency_Hz"] / 1e3,
                    r["r_dc_ohm_cm2"],
                ]
            )
    markdown_table(
        "item1_trends",
        [
            "series",
            "parameter",
            "R_cstr (Ω·cm²)",
            "C_cstr (nF/cm²)",
            "τ_cstr (ns)",
            "apex (kHz)",
            "R_dc (Ω·cm²)",
        ],
        rows,
    )


if __name__ == "__main__":
    run()
