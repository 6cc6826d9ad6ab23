"""The qualitative claims of the validation gallery (docs/validation.md) on small meshes.

Each test is a directed comparison the papers state or the gallery finds: trend directions of
the constriction arc, merged vs separate arcs, the ordering of activation energies, and the
ordering of the current amplification under two collectors. Meshes are coarse (P1 or P2 on a
few thousand dofs); the directions tested are far larger than the discretisation error, which
the gallery quantifies (mesh.refine 1.5 changes R_int by a few per cent).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import eisfem  # noqa: F401
from eisfem.config import parse_config
from eisfem.geometry import tags
from eisfem.postprocess.focusing import ContactFocusing
from eisfem.postprocess.impedance import M2_TO_CM2, log_frequencies
from eisfem.postprocess.interface_arc import (
    apparent_electrolyte_resistance,
    area_spectrum,
    interface_arc,
)
from eisfem.simulation.cell_terms import charge_transfer, electrolyte_medium
from eisfem.simulation.model import build_mesh, build_system
from eisfem.solvers.applied_current import AppliedCurrentProblem
from eisfem.solvers.arrhenius import apparent_activation_energy
from eisfem.solvers.interface_current import InterfaceFlux
from eisfem.solvers.spectrum import solve_spectrum
from tests.helpers import cell_volume, facet_area

FREQ = {"max": "1 GHz", "min": "1 kHz", "points_per_decade": 8}


def _config(cell: dict, interface: dict, electrolyte: dict, **extra):
    raw = {
        "cell": cell,
        "interface": interface,
        "materials": {"electrolyte": electrolyte},
        "solver": {"degree": 1},
        "frequencies": FREQ,
        **extra,
    }
    return parse_config(raw)


def _solve(cfg, pellet: float | None = None):
    """(frequency, Z in Ω·cm², Z of the same cell in full contact, R_dc, R_dc full contact);
    with ``pellet`` (m) the rest of a pellet that thick is added as its exact 1D impedance."""
    bundle = build_mesh(cfg)
    system = build_system(cfg, bundle)
    f = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, cfg.frequencies.points_per_decade)
    area = bundle.electrode_area * M2_TO_CM2
    z = solve_spectrum(system, f, "fast", 1e-4).impedance * area
    r_dc = float(system.solve_dc().impedance.real) * area
    medium = electrolyte_medium(cfg.materials.electrolyte, cfg.temperature)
    per_length = np.array([M2_TO_CM2 / medium(2 * math.pi * x) for x in f])
    thickness = cfg.cell.thickness
    full = per_length * thickness
    full_dc = thickness * M2_TO_CM2 / medium(0.0).real
    if pellet is not None:
        z = z + per_length * (pellet - thickness)
    return f, z, full, r_dc, full_dc


def _arc(cfg):
    f, z, full, r_dc, full_dc = _solve(cfg)
    return interface_arc(f, z, full, r_dc, full_dc)


NZSP = {"preset": "NZSP"}
GAP = {"height": "100 nm", "gap_model": "thin"}


def test_more_spots_at_constant_contact_area_lower_r_and_tau():
    """[Ortmann2023] §2.2.1, [Ortmann2024] §2.2: a finer distribution of the same contact area
    lowers R_cstr; the gap capacitance stays, so τ_cstr falls with it."""
    arcs = [
        _arc(
            _config(
                {"shape": "patch", "side": f"{s} um", "thickness": "60 um"},
                {"kind": "spots", "placement": "single", "area_fraction": 0.1, **GAP},
                NZSP,
            )
        )
        for s in (120, 40)  # 1 and 9 spots on the same (120 µm)²
    ]
    coarse, fine = arcs
    assert fine.resistance_ohm_cm2 < 0.5 * coarse.resistance_ohm_cm2
    assert fine.tau_s < 0.5 * coarse.tau_s
    assert fine.capacitance_F_per_cm2 == pytest.approx(coarse.capacitance_F_per_cm2, rel=0.2)


def test_deeper_pores_lower_c_and_tau_not_r():
    """Deeper voids (gap height) keep R_cstr (no current crosses them at DC) and lower
    C_cstr ∝ 1/h ([Ortmann2024] §2.2.1): the arc moves up in frequency."""
    shallow, deep = (
        _arc(
            _config(
                {"shape": "patch", "side": "100 um", "thickness": "60 um"},
                {
                    "kind": "spots",
                    "placement": "single",
                    "area_fraction": 0.2,
                    "height": h,
                    "gap_model": "thin",
                },
                NZSP,
            )
        )
        for h in ("50 nm", "500 nm")
    )
    assert deep.resistance_ohm_cm2 == pytest.approx(shallow.resistance_ohm_cm2, rel=1e-6)
    assert deep.capacitance_F_per_cm2 < 0.3 * shallow.capacitance_F_per_cm2
    assert deep.tau_s < 0.3 * shallow.tau_s


def _window_arcs(spacing_um: float, fraction: float) -> int:
    """Apexes of a 2 mm NZSP polycrystal with 27 nm gaps around contact spots in 10 Hz–7 MHz."""
    thickness = min(4 * spacing_um, 2000)
    cfg = _config(
        {"shape": "patch", "side": f"{spacing_um} um", "thickness": f"{thickness} um"},
        {
            "kind": "spots",
            "placement": "single",
            "height": "27 nm",
            "gap_model": "thin",
            "radius": f"{spacing_um * math.sqrt(fraction / math.pi)} um",
        },
        {"preset": "NZSP-polycrystal"},
        frequencies={"max": "7 MHz", "min": "10 Hz", "points_per_decade": 10},
    )
    f, z, *_ = _solve(cfg, pellet=2e-3)
    return len(area_spectrum(f, z).arcs())


def test_fine_contacts_hide_in_the_grain_boundary_arc_sparse_ones_do_not():
    """[Ortmann2023] §2.2.1 and Fig. 5: fine pores give no arc of their own (it merges
    with the grain-boundary arc); sparse contacts give a separate arc."""
    assert _window_arcs(3.0, 0.1) == 1
    assert _window_arcs(1000.0, 0.001) == 2


def test_constriction_activation_energy_lies_between_bulk_and_gb_and_follows_gb_density():
    """[Ortmann2023] §2.2.2: E_a of the constriction arc lies between E_a,bulk (0.26 eV)
    and E_a,GB (0.36 eV), nearer the GB value with more grain boundaries near the contacts."""
    energies = []
    for grain in ("0.5 um", "20 um"):
        base = _config(
            {"shape": "patch", "side": "100 um", "thickness": "100 um"},
            {"kind": "spots", "placement": "single", "area_fraction": 0.01, **GAP},
            {"preset": "NZSP-polycrystal", "grain_boundaries": {"grain_size": grain}},
        )
        bundle = build_mesh(base)
        temperatures = [233.15, 298.15]
        r_int = []
        for T in temperatures:
            cfg = base.model_copy(update={"temperature": T})
            system = build_system(cfg, bundle)
            medium = electrolyte_medium(cfg.materials.electrolyte, T)
            r_int.append(
                system.solve_dc().impedance.real * bundle.electrode_area
                - cfg.cell.thickness / medium(0.0).real
            )
        energies.append(apparent_activation_energy(temperatures, r_int))
    fine, coarse = energies
    assert 0.26 < coarse < fine < 0.36


def _amplification(interface: dict) -> dict:
    cfg = _config(
        {"shape": "patch", "side": "60 um", "thickness": "40 um"},
        interface,
        {"preset": "NBH"},
        kinetics={"we": {"exchange_current_density": "20 mA/cm^2"}},
    )
    bundle = build_mesh(cfg)
    system = build_system(cfg, bundle)
    bv = {tags.WE_CONTACT: charge_transfer(cfg.kinetics.we, cfg.temperature)}
    dc = AppliedCurrentProblem(system, butler_volmer=bv).at_current(-12.0 * bundle.electrode_area)
    focus = ContactFocusing(InterfaceFlux(system))
    m = focus.metrics(dc.solution, dc.current, bundle.electrode_area, [1e-6], [2.0], [50, 90])
    contact = m["contact_area_m2"] / bundle.electrode_area
    return {"mean": m["contact_current_fraction"] / contact, **m["percentiles"]}


def test_a_few_contact_spots_amplify_the_plating_current_more_than_a_conforming_collector():
    """[Deysher2024] ch. 2 and [Tseng2024]: a collector touching at few spots concentrates the
    current (higher local density at equal nominal current) compared with a conforming one."""
    foil = _amplification({"kind": "spots", "placement": "single", "area_fraction": 0.05, **GAP})
    pellet = _amplification(
        {"kind": "pores", "shape": "cylinder", "placement": "single", "area_fraction": 0.1, **GAP}
    )
    assert foil["mean"] > 5 * pellet["mean"]
    assert foil["p50"] > 5 * pellet["p50"]
    assert foil["p90"] > 5 * pellet["p90"]


COLLECTOR_GAPS = {
    "kind": "collector",
    "pattern": "stripes",
    "stripe_width": "80 um",
    "stripe_period": "100 um",
    "height": "1 um",
    "gap_model": "thin",
}
FILAMENT = {"radius": "4 um", "depth": "50 um"}


def _collector(interface: dict):
    return _config(
        {"shape": "patch", "side": "100 um", "thickness": "100 um"},
        interface,
        {"preset": "NZSP-polycrystal"},
        frequencies={"max": "100 MHz", "min": "100 Hz", "points_per_decade": 8},
    )


def test_filament_is_the_exact_cylinder_cut_from_the_electrolyte():
    """The filament's volume leaves the electrolyte and its wall and end face join the
    electrode contact: both measured on the (curved, P2-geometry) mesh against the cylinder."""
    bundle = build_mesh(_collector(COLLECTOR_GAPS | {"filament": FILAMENT}))
    r, d, side, t = 4e-6, 50e-6, 100e-6, 100e-6
    volume = cell_volume(bundle, tags.ELECTROLYTE)
    contact = facet_area(bundle, tags.WE_CONTACT)
    gap = facet_area(bundle, tags.WE_GAP)
    wall_and_end = 2 * math.pi * r * d + math.pi * r * r
    assert volume == pytest.approx(side * side * t - math.pi * r * r * d, rel=1e-6)
    assert contact == pytest.approx(0.2 * side * side + wall_and_end, rel=1e-4)
    assert gap == pytest.approx(0.8 * side * side - math.pi * r * r, rel=1e-4)
    assert bundle.info["filament_area_m2"] == pytest.approx(wall_and_end, rel=1e-9)


def test_gaps_raise_the_apparent_electrolyte_resistance_a_penetrating_filament_lowers_it():
    """[Ortmann2024] §2.2: gaps under the collector not yet shorted at the grain-boundary
    frequencies raise the apparent R_SE (Re Z a decade below the full-contact GB apex, 2 mm
    pellet); a metal filament reaching 50 µm into the electrolyte shortens the ionic path and
    lowers it again. Both shifts are ~2 % of R_SE (~0.7 Ω·cm²); the mesh error of the
    patch's part (~2.5 Ω·cm², P1) is a few per cent of that part, ~0.1 Ω·cm²."""
    values = {}
    for name, interface in (
        ("gaps", COLLECTOR_GAPS),
        ("filament", COLLECTOR_GAPS | {"filament": FILAMENT}),
    ):
        f, z, full, *_ = _solve(_collector(interface), pellet=2e-3)
        full = full * 2e-3 / 100e-6  # the whole pellet in full contact
        values[name], _ = apparent_electrolyte_resistance(f, z, full)
        values["full"], _ = apparent_electrolyte_resistance(f, full, full)
    assert values["gaps"] > values["full"] + 0.3
    assert values["filament"] < values["gaps"] - 0.3
