"""Shared machinery of the validation gallery: one forward model, the interface arc, output.

Every gallery case is an ordinary eisfem run config (a dict, validated by the config schema)
solved through eisfem's own Python entry points: the mesh bundle, the impedance system and
the fast frequency sweep of a run, without the run folder (the gallery writes its own tables
and figures). What experimentalists call the interface arc is extracted the way an
equivalent-circuit analysis with unchanged bulk and grain-boundary elements would: the cell's
impedance minus that of the same pellet in full contact, which for a homogeneous (or
brick-layer) electrolyte is exactly L/κ_eff(ω) per area.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import eisfem  # noqa: F401  (before dolfinx/petsc4py)
from eisfem.config import RunConfig, parse_config
from eisfem.geometry.builder import gap_height_maps
from eisfem.geometry.mesh import MeshBundle
from eisfem.postprocess.impedance import M2_TO_CM2, Spectrum, log_frequencies
from eisfem.postprocess.interface_arc import InterfaceArc, interface_arc
from eisfem.simulation.cell_terms import electrolyte_medium
from eisfem.simulation.model import build_mesh, build_system, geometry_spec
from eisfem.solvers.error_estimate import enrichment_ratio, relative_difference
from eisfem.solvers.spectrum import solve_spectrum
from eisfem.solvers.system import ImpedanceSystem

OUT = Path(__file__).resolve().parents[2] / "docs" / "validation"
UM = 1e-6


def config(raw: dict[str, Any], **dotted: Any) -> RunConfig:
    """A validated run config from ``raw`` with dotted overrides (``interface.radius``)."""
    raw = json.loads(json.dumps(raw))
    for key, value in dotted.items():
        node = raw
        *head, last = key.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = value
    return parse_config(raw, source="gallery")


@dataclass
class Solved:
    """One solved case: its spectrum, DC impedance and the objects behind them."""

    cfg: RunConfig
    bundle: MeshBundle
    system: ImpedanceSystem
    spectrum: Spectrum
    r_dc: float  # Ω·cm²

    @property
    def z(self) -> np.ndarray:
        return self.spectrum.area_specific

    def full_contact(self, omega: np.ndarray | float, r_dc: float | None = None) -> np.ndarray:
        """Ω·cm² of the same electrode in full contact.

        The electrolyte is homogeneous (or a brick-layer effective medium), so that cell's
        impedance is its DC resistance times κ_eff(0)/κ_eff(ω) whatever its shape (one
        geometric factor). ``r_dc``: that DC resistance (Ω·cm²), by default L/κ_eff(0), exact
        when the electrode covers the pellet or the patch.
        """
        return full_contact(self.cfg, omega, r_dc)

    def interface(self, reference_dc: float | None = None) -> InterfaceArc:
        """The interface arc: this spectrum minus the full-contact one (see full_contact)."""
        w = 2 * np.pi * self.spectrum.frequency
        full_dc = float(self.full_contact(0.0, reference_dc)[0].real)
        return interface_arc(
            self.spectrum.frequency, self.z, self.full_contact(w, reference_dc), self.r_dc, full_dc
        )


def full_contact(
    cfg: RunConfig, omega: np.ndarray | float, r_dc: float | None = None
) -> np.ndarray:
    """Ω·cm² of ``cfg``'s electrolyte in full contact: r_dc · κ_eff(0)/κ_eff(ω), r_dc by
    default L/κ_eff(0) (bulk and grain-boundary arcs of the pellet, nothing else)."""
    medium = electrolyte_medium(cfg.materials.electrolyte, cfg.temperature)
    k0 = medium(0.0).real
    if r_dc is None:
        r_dc = cfg.cell.thickness / k0 * M2_TO_CM2
    w = np.atleast_1d(np.asarray(omega, dtype=float))
    return np.array([r_dc * k0 / medium(float(x)) for x in w])


def frequencies(cfg: RunConfig) -> np.ndarray:
    f = cfg.frequencies
    return log_frequencies(f.max, f.min, f.points_per_decade)


def solve(cfg: RunConfig, bundle: MeshBundle | None = None) -> Solved:
    """Spectrum (fast sweep) and DC impedance of ``cfg``; reuses ``bundle`` if given (its
    thin-gap heights are taken from ``cfg``, so only the gap height may differ)."""
    start = time.perf_counter()
    if bundle is None:
        bundle = build_mesh(cfg)
    else:
        bundle = dataclasses.replace(bundle, gap_height=gap_height_maps(geometry_spec(cfg)))
    system = build_system(cfg, bundle)
    f = frequencies(cfg)
    result = solve_spectrum(system, f, "fast", cfg.solver.sweep_tolerance)
    spectrum = Spectrum(f, result.impedance, bundle.electrode_area)
    r_dc = float((system.solve_dc().impedance * bundle.electrode_area * M2_TO_CM2).real)
    progress(f"spectrum, {system.dofs} dofs, R_dc {r_dc:.4g} Ω·cm²", start)
    return Solved(cfg, bundle, system, spectrum, r_dc)


def solve_dc(cfg: RunConfig) -> tuple[float, MeshBundle]:
    """DC resistance (Ω·cm²) only, and the mesh it was computed on."""
    start = time.perf_counter()
    bundle = build_mesh(cfg)
    system = build_system(cfg, bundle)
    r = float((system.solve_dc().impedance * bundle.electrode_area * M2_TO_CM2).real)
    progress(f"DC only, {system.dofs} dofs, R_dc {r:.4g} Ω·cm²", start)
    return r, bundle


def enriched(sv: Solved) -> Solved:
    """The same case at degree p + 1 on the same mesh: the reference of eisfem's p-enrichment
    error estimate (:mod:`eisfem.solvers.error_estimate`, a run's summary.json → accuracy),
    here with its own DC solve so that R_int has an estimate of its own."""
    start = time.perf_counter()
    system = sv.system.with_degree(sv.system.degree + 1)
    f = sv.spectrum.frequency
    result = solve_spectrum(system, f, "fast", sv.cfg.solver.sweep_tolerance)
    area = sv.bundle.electrode_area
    r_dc = float((system.solve_dc().impedance * area * M2_TO_CM2).real)
    progress(f"P{system.degree} reference, {system.dofs} dofs, R_dc {r_dc:.4g} Ω·cm²", start)
    return Solved(sv.cfg, sv.bundle, system, Spectrum(f, result.impedance, area), r_dc)


def error_bars(
    quantities: Callable[[Solved], dict[str, float]], sv: Solved, fine: Solved | None = None
) -> dict[str, Any]:
    """Estimated discretisation errors of the numbers ``quantities`` reads off ``sv``.

    Each number q is read at degree p and p + 1 (``fine``, by default solved here) and its
    error estimated as |q_p − q_{p+1}| / (1 − ρ), ρ = (p/(p+1))^2 (eisfem's p-enrichment
    estimate, :func:`eisfem.solvers.error_estimate.enrichment_ratio`), the same rule as a
    run's Z_rel_error_estimate, which is returned alongside (its maximum over the sweep).
    """
    fine = fine or enriched(sv)
    rho = enrichment_ratio(sv.system.degree)
    coarse_q, fine_q = quantities(sv), quantities(fine)
    return {
        "method": f"p-enrichment P{sv.system.degree} → P{fine.system.degree}, ratio {rho:.3g}",
        "z_rel_error_estimate_max": float((relative_difference(sv.z, fine.z) / (1 - rho)).max()),
        **{k: abs(coarse_q[k] - fine_q[k]) / (1 - rho) for k in coarse_q if k in fine_q},
    }


def pm(value: float, error: float | None, scale: float = 1.0) -> str:
    """``value ± error`` for a table (both multiplied by ``scale``)."""
    if math.isnan(value):
        return "—"
    if error is None:
        return f"{value * scale:.4g}"
    return f"{value * scale:.4g} ± {error * scale:.1g}"


def progress(what: str, start: float) -> None:
    """One line per solved case (the gallery runs for many minutes)."""
    print(f"  {what} ({time.perf_counter() - start:.1f} s)", flush=True)


def write_json(name: str, data: Any) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, default=float) + "\n")
    return path


REFINE = 1.5


def refinement_change(cfg: RunConfig, reference_dc: float | None = None) -> dict[str, float]:
    """The accuracy estimate quoted next to the gallery's numbers: the relative change of the
    interface arc's R and apex frequency when every mesh size is divided by REFINE, and the
    error it implies for the unrefined mesh if the error falls like the element size (the
    rate of a contact-edge singularity): change / (1 − 1/REFINE)."""
    coarse = solve(cfg).interface(reference_dc)
    fine_cfg = cfg.model_copy(update={"mesh": cfg.mesh.model_copy(update={"refine": REFINE})})
    fine = solve(fine_cfg).interface(reference_dc)
    change = {
        "resistance": abs(fine.resistance_ohm_cm2 / coarse.resistance_ohm_cm2 - 1),
        "apex_frequency": abs(fine.apex_frequency_Hz / coarse.apex_frequency_Hz - 1),
    }
    return {
        "refine": REFINE,
        "change": change,
        "error_estimate": {k: v / (1 - 1 / REFINE) for k, v in change.items()},
    }


def savefig(fig, name: str) -> Path:
    """``docs/validation/<name>.png``; the figure is closed (a gallery run draws dozens)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def markdown_table(name: str, header: list[str], rows: list[list[Any]]) -> Path:
    """``docs/validation/<name>.md``: a table the validation page links to."""

    def cell(v: Any) -> str:
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.md"
    path.write_text("\n".join(lines) + "\n")
    return path
