"""Where the current goes, for a run: focusing metrics at the field frequencies and the DC
current distributions at the applied current density, as summary entries and ParaView files.

Called by the pipeline after the sweep. Files (XDMF + HDF5, time = frequency in Hz, DC = 0):

* ``interface.xdmf``: ``jn_rel`` = |j_n| / j_nominal on the cells along the WE interface (the
  mean over each cell's interface facet; 0 elsewhere) at every field frequency;
* ``dc_primary.xdmf`` / ``dc_secondary.xdmf`` (with ``dc`` in the config): potential (V),
  current density (A/m²) and ``jn`` (A/m², signed, into the electrolyte) and ``jn_rel`` at the
  applied current. The potential inside non-conducting volumes (pores) is not computed there
  and reads 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem
from dolfinx.io import XDMFFile

from eisfem.config import RunConfig
from eisfem.postprocess.focusing import ContactFocusing
from eisfem.postprocess.impedance import M2_TO_CM2
from eisfem.simulation.cell_terms import CONTACTS, charge_transfer
from eisfem.solvers.applied_current import AppliedCurrentProblem, AppliedCurrentSolution
from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.interface_current import InterfaceFlux
from eisfem.solvers.system import Solution

INTERFACE_FILE = "interface.xdmf"


class FocusingReport:
    """Focusing metrics and interface fields of the solutions of one system."""

    def __init__(self, cfg: RunConfig, spaces: FieldSpaces, flux: InterfaceFlux):
        self.cfg = cfg
        self.system = spaces.system
        self.flux = flux
        self.contact = ContactFocusing(flux)
        self.spaces = spaces

    def metrics(self, solution: Solution, total: complex) -> dict[str, Any] | None:
        """Metrics of ``solution`` whose electrode current is ``total`` (None: no current)."""
        if total == 0 or not np.isfinite(abs(total)):
            return None
        s = self.cfg.focusing
        return self.contact.metrics(
            solution,
            total,
            self.system.bundle.electrode_area,
            s.band_widths,
            s.thresholds,
            s.percentiles,
        )

    def interface_fields(
        self, solution: Solution, total: complex, signed: bool = False
    ) -> list[fem.Function]:
        """``jn_rel`` = |j_n| / j_nominal, with ``signed`` also the real ``jn`` (A/m²).

        Cell fields: each electrolyte cell on the interface carries the mean over its
        interface facet (the values the metrics use; nodal values of the flux would show the
        projection's oscillations next to contact edges), every other cell 0.
        """
        jn = self.flux(solution).jn
        nominal = abs(total) / self.system.bundle.electrode_area
        values = {"jn_rel": np.abs(jn) / nominal if nominal > 0 else 0 * jn.real}
        if signed:
            values["jn"] = jn.real
        out = []
        for name, array in values.items():
            f = fem.Function(self.spaces.DG0, dtype=np.float64, name=name)
            f.x.array[self.flux.cells] = array
            f.x.scatter_forward()
            out.append(f)
        return out

    def at_frequencies(self, solutions: list[Solution], folder: Path) -> list[dict[str, Any]]:
        """Metrics at each field solution, and ``interface.xdmf`` with their ``jn_rel``."""
        entries = []
        mesh = self.system.bundle.mesh
        with XDMFFile(mesh.comm, str(folder / INTERFACE_FILE), "w") as xf:
            xf.write_mesh(mesh)
            for sol in sorted(solutions, key=lambda s: s.omega):
                total = self.system.voltage / sol.impedance if sol.impedance != 0 else 0
                frequency = sol.omega / (2 * np.pi)
                entries.append({"frequency_Hz": frequency, **(self.metrics(sol, total) or {})})
                for f in self.interface_fields(sol, total):
                    xf.write_function(f, frequency)
        return entries

    def dc(self, folder: Path) -> dict[str, Any]:
        """Primary and (with kinetics) secondary DC distributions at the applied current."""
        cfg = self.cfg
        assert cfg.dc is not None
        area = self.system.bundle.electrode_area
        current = cfg.dc.current_density * area
        kinetics = {
            CONTACTS[side]: k for side in CONTACTS if (k := getattr(cfg.kinetics, side)) is not None
        }
        out: dict[str, Any] = {
            "current_density_A_m2": cfg.dc.current_density,
            "current_A": current,
            "primary": self._distribution(
                AppliedCurrentProblem(self.system, ideal=kinetics),
                current,
                folder / "dc_primary.xdmf",
            ),
        }
        if kinetics:
            bv = {}
            if cfg.dc.kinetics == "butler_volmer":
                bv = {g: charge_transfer(k, cfg.temperature) for g, k in kinetics.items()}
            problem = AppliedCurrentProblem(self.system, butler_volmer=bv)
            out["secondary"] = {
                "kinetics": cfg.dc.kinetics,
                **self._distribution(problem, current, folder / "dc_secondary.xdmf"),
            }
        return out

    def _distribution(
        self, problem: AppliedCurrentProblem, current: float, path: Path
    ) -> dict[str, Any]:
        dc: AppliedCurrentSolution = problem.at_current(current)
        mesh = self.system.bundle.mesh
        with XDMFFile(mesh.comm, str(path), "w") as xf:
            xf.write_mesh(mesh)
            fields = self.spaces.compute(dc.solution)
            fields += self.interface_fields(dc.solution, dc.current, signed=True)
            for f in fields:
                xf.write_function(f, 0.0)
        resistance = dc.voltage / dc.current
        return {
            "voltage_V": dc.voltage,
            "resistance_ohm": resistance,
            "resistance_ohm_cm2": resistance * self.system.bundle.electrode_area * M2_TO_CM2,
            "focusing": self.metrics(dc.solution, dc.current),
        }


def focusing_summary(
    cfg: RunConfig, spaces: FieldSpaces, flux: InterfaceFlux, solutions, folder: Path
) -> dict:
    """The summary entries ``focusing`` (and ``dc`` with a ``dc`` config section)."""
    report = FocusingReport(cfg, spaces, flux)
    out: dict[str, Any] = {
        "focusing": {
            "note": "j_nominal = |I| / nominal electrode area; bands along contact edges; the "
            "peak is mesh dependent at unresolved edges (see peak_mesh_sensitivity)",
            "at_frequencies": report.at_frequencies(solutions, folder),
        }
    }
    if cfg.dc is not None:
        out["dc"] = report.dc(folder)
    return out
