"""Assemble the run's typed summary from the stages' outputs: the one place summary.json is made.

The solver and postprocessing layers report in their own terms: a spectrum and a DC solution,
and mappings for the reports whose shape depends on options (mesh report, frequency-sweep and
linear-solver reports, relaxation, fit and DRT, focusing metrics). Each mapping is checked
against its record type here, on its one way into the summary: a key that the record does not
declare is an error (a TypeError: a bug of eisfem, not a user's mistake), not a silent addition
to the file, so summary.json, its published schema and the typed attributes of a run cannot
drift apart.
"""

from __future__ import annotations

import json
import math
import platform
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import dolfinx
import gmsh
import numpy as np
from petsc4py import PETSc

from eisfem.core.records import RecordError, finite, from_json, to_json
from eisfem.postprocess.fitting import ArcFit, CircuitFit
from eisfem.postprocess.impedance import M2_TO_CM2, Spectrum
from eisfem.simulation.result import (
    SUMMARY_FILE,
    ArcRecord,
    FitFailure,
    FitRecord,
    ImpedancePoint,
)

R = TypeVar("R")  # a plain TypeVar: the repo's tools parse Python 3.11 syntax
AREA_NOTE = "nominal electrode area (area-specific values are Z × this area)"


def versions() -> dict[str, str]:
    petsc = ".".join(str(v) for v in PETSc.Sys.getVersion())
    return {
        "eisfem": version("eisfem"),
        "dolfinx": dolfinx.__version__,
        "petsc": petsc,
        "petsc_scalar": str(np.dtype(PETSc.ScalarType)),
        "gmsh": gmsh.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def checked(record_type: type[R], report: dict[str, Any]) -> R:
    """A lower layer's report as its record (TypeError naming a key the record lacks)."""
    try:
        return from_json(record_type, report, record_type.__name__)
    except RecordError as exc:
        raise TypeError(f"summary section {exc}") from exc


def impedance_point(spectrum: Spectrum, index: int) -> ImpedancePoint:
    z = spectrum.impedance[index]
    return ImpedancePoint(
        frequency_Hz=float(spectrum.frequency[index]),
        real_ohm=float(z.real),
        imag_ohm=float(z.imag),
    )


def arc_records(spectrum: Spectrum) -> list[ArcRecord]:
    """The apexes of the spectrum (high to low frequency), with area-specific values."""
    cm2 = spectrum.area * M2_TO_CM2
    return [
        ArcRecord(
            apex_frequency_Hz=arc.apex_frequency_Hz,
            apex_minus_imag_ohm=arc.apex_minus_imag_ohm,
            apex_minus_imag_ohm_cm2=arc.apex_minus_imag_ohm * cm2,
            resistance_estimate_ohm_cm2=arc.resistance_estimate_ohm * cm2,
        )
        for arc in spectrum.arcs()
    ]


def dc_resistance(dc_impedance: complex, area: float) -> dict[str, float | None]:
    """R_dc in Ω and Ω·cm²; null for an open circuit (no DC path: JSON has no infinity)."""
    r = dc_impedance.real
    return {"resistance_dc_ohm": finite(r), "resistance_dc_ohm_cm2": finite(r * area * M2_TO_CM2)}


def circuit_of(record: FitRecord | FitFailure) -> CircuitFit | None:
    """The fitted circuit back from its record (to draw it over a stored run), None if no fit."""
    if not isinstance(record, FitRecord):
        return None
    arcs = [ArcFit(a.label, a.R_ohm, a.tau_s, a.n, {}) for a in record.arcs]
    return CircuitFit(record.circuit, record.R_series_ohm, math.nan, arcs, np.empty(0), np.empty(0))


def write_summary(summary: Any, folder: Path) -> None:
    """summary.json of a :class:`~eisfem.simulation.result.RunSummary`."""
    (folder / SUMMARY_FILE).write_text(json.dumps(to_json(summary), indent=2) + "\n")
