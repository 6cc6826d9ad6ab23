"""summary.json: the scalars of a run (resistances, arcs, mesh, timings, versions)."""

from __future__ import annotations

import json
import math
import platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dolfinx
import gmsh
import numpy as np
from petsc4py import PETSc

from eisfem.postprocess.impedance import M2_TO_CM2, Spectrum


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


def _finite(x: float) -> float | None:
    """JSON has no infinity: an open circuit (no DC path) is written as null."""
    return x if math.isfinite(x) else None


def build_summary(
    name: str,
    spectrum: Spectrum,
    dc_impedance: complex,
    *,
    dofs: int,
    degree: int,
    ranks: int,
    geometry: dict[str, Any],
    timings: dict[str, float],
    field_frequencies: list[float],
) -> dict[str, Any]:
    area_cm2 = spectrum.area * M2_TO_CM2
    z = spectrum.impedance
    r_dc = dc_impedance.real
    return {
        "name": name,
        "electrode_area_m2": spectrum.area,
        "electrode_area_note": "nominal electrode area (area-specific values are Z × this area)",
        "resistance_dc_ohm": _finite(r_dc),
        "resistance_dc_ohm_cm2": _finite(r_dc * area_cm2),
        "impedance_at_max_frequency": {
            "frequency_Hz": float(spectrum.frequency[0]),
            "real_ohm": float(z[0].real),
            "imag_ohm": float(z[0].imag),
        },
        "impedance_at_min_frequency": {
            "frequency_Hz": float(spectrum.frequency[-1]),
            "real_ohm": float(z[-1].real),
            "imag_ohm": float(z[-1].imag),
        },
        "arcs": [
            {
                "apex_frequency_Hz": arc.apex_frequency_Hz,
                "apex_minus_imag_ohm": arc.apex_minus_imag_ohm,
                "apex_minus_imag_ohm_cm2": arc.apex_minus_imag_ohm * area_cm2,
                "resistance_estimate_ohm_cm2": arc.resistance_estimate_ohm * area_cm2,
            }
            for arc in spectrum.arcs()
        ],
        "dofs": dofs,
        "degree": degree,
        "mpi_ranks": ranks,
        "geometry": geometry,
        "field_frequencies_Hz": sorted(field_frequencies),
        "timings_s": timings,
        "versions": versions(),
    }


def write_json(data: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")
