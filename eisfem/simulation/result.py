"""The typed result of one run: what ``summary.json`` holds, as frozen dataclasses.

Built once by the pipeline from the stages' own outputs and written once; read back with
:func:`read_summary`. Field names are the file's keys (units in the name), so
``summary.fit.R_series_ohm_cm2`` in Python is ``fit.R_series_ohm_cm2`` in the file and in the
sweep table's columns. Sections that exist only for some runs (``dc``, ``current_map``) are None
and absent from the file; the schema (``eisfem schema --summary``) is generated from these classes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eisfem.core.records import (
    RecordError,
    from_json,
    inline,
    json_schema,
    optional,
    record,
    renamed,
)
from eisfem.simulation.solver_records import AccuracyRecord, LinearSolverRecord, SweepRecord

# --- spectrum ---------------------------------------------------------------------------------


@record
class ImpedancePoint:
    """Z at one end of the frequency range."""

    frequency_Hz: float
    real_ohm: float
    imag_ohm: float


@record
class ArcRecord:
    """One arc of the spectrum, located by its apex (local maximum of −Im Z over log f)."""

    apex_frequency_Hz: float
    apex_minus_imag_ohm: float
    apex_minus_imag_ohm_cm2: float
    resistance_estimate_ohm_cm2: float


# --- mesh -------------------------------------------------------------------------------------


@record
class SideMeasures:
    """Areas, fractions and volumes of one interface (SI units)."""

    contact_area_m2: float
    contact_fraction: float
    gap_fraction: float
    pore_area_fraction: float
    thin_gap_area_fraction: float
    pore_volume_m3: float
    gap_volume_m3: float


@record
class GroupQuality:
    cells: int
    min_sicn: float
    p01_sicn: float


@record
class GeometryRecord:
    """What was built and meshed: working-electrode measures, counts, plan, mesh quality.

    Every geometry source (parametric builder, image stack, a user's mesh) reports the
    electrode, the contact and the mesh quality; the rest depends on the source.
    """

    electrode_area_m2: float
    pore_count: int | None = optional()
    contact_area_m2: float
    contact_fraction: float
    gap_fraction: float
    pore_area_fraction: float
    thin_gap_area_fraction: float | None = optional()
    pore_volume_m3: float | None = optional()
    gap_volume_m3: float | None = optional()
    feature_counts: dict[str, int] | None = optional()
    plan: dict[str, Any] | None = optional(doc="planned vs requested values (parametric)")
    ce: SideMeasures | None = optional(doc="the counter electrode's interface (symmetric cells)")
    cells: int
    quality_min_sicn: float
    quality_p01_sicn: float
    quality_by_group: dict[str, GroupQuality]
    mesh_warnings: list[str]
    mesh_sizes_m: dict[str, float | None] | None = optional()
    meshing_seconds: float
    conversion_seconds: float
    geometry_order: int | None = optional(doc="2: curved walls, rims and caps (second order)")
    curved_jacobian_ratio_min: float | None = optional(
        doc="smallest min/max Jacobian determinant ratio of the curved tetrahedra (> 0: valid)"
    )
    curved_elements_straightened: int | None = optional(
        doc="curved tetrahedra that curving inverted and that were straightened back"
    )
    curving_seconds: float | None = optional()
    source_report: dict[str, Any] = inline(
        doc="entries particular to a geometry source (image stack, user mesh)"
    )


# --- analysis: fit, DRT, relaxation -----------------------------------------------------------


@record
class FitArc:
    """One fitted arc R ‖ CPE with standard errors (null where not estimated)."""

    label: str
    R_ohm: float
    R_stderr_ohm: float | None
    R_ohm_cm2: float
    tau_s: float
    tau_stderr_s: float | None
    n: float
    n_stderr: float | None
    Y_S_s_n: float = renamed("Y_S_s^n", doc="CPE coefficient Y (S·s^n)")
    C_eff_F: float
    C_eff_F_per_cm2: float
    apex_frequency_Hz: float


@record
class FitRecord:
    """Equivalent-circuit fit R_s + Σ (R‖CPE); per-arc scalars are named after the arc label."""

    circuit: str
    method: str
    capacitance_method: str
    R_series_ohm: float
    R_series_ohm_cm2: float
    by_label: dict[str, float | str] = inline(
        doc="R_<label>_ohm(_cm2), C_<label>_F(_per_cm2), n_<label>, apex_frequency_<label>_Hz;"
        " R_bulk_* from the series resistance when the bulk arc lies above the window"
    )
    residual_max_relative: float
    residual_rms_relative: float
    arcs: list[FitArc]

    def arc(self, label: str) -> FitArc | None:
        return next((a for a in self.arcs if a.label == label), None)


@record
class FitFailure:
    """Why there is no circuit fit."""

    error: str


@record
class DRTPeak:
    tau_s: float
    frequency_Hz: float
    resistance_ohm: float
    resistance_ohm_cm2: float


@record
class ExactComparison:
    """A DRT peak beside the model's exact relaxations in its band (null: none there)."""

    tau_s: float
    resistance_ohm: float
    exact_tau_s: float | None
    exact_resistance_ohm: float


@record
class DRTRecord:
    method: str
    peaks: list[DRTPeak]
    exact_comparison: list[ExactComparison] | None = optional()


@record
class RelaxationRecord:
    """The model's own relaxation spectrum Z = R_∞ + Σ R_j / (1 + iωτ_j)."""

    method: str
    tau_s: list[float]
    resistance_ohm: list[float]
    resistance_ohm_cm2: list[float]
    capacitance_F: list[float]
    capacitance_F_per_cm2: list[float]
    peak_frequency_Hz: list[float]
    r_inf_ohm: float
    r_inf_ohm_cm2: float
    sum_ohm: float
    resistance_dc_ohm: float | None
    dropped_resistance_ohm: float
    complex_poles: int
    reconstruction_max_relative_error: float | None


# --- current focusing -------------------------------------------------------------------------


@record
class Band:
    width_m: float
    current_fraction: float
    area_fraction: float


@record
class FocusingMetrics:
    """Where the current crosses the contact (j_nominal = |I| / nominal electrode area)."""

    current_A: float
    j_nominal_A_m2: float
    contact_area_m2: float
    contact_current_fraction: float
    bands: list[Band]
    percentiles: dict[str, float]
    area_share_above: dict[str, float]
    peak: float
    peak_location_m: list[float]
    peak_distance_to_edge_m: float | None
    peak_element_size_m: float
    peak_patch_average: float
    peak_mesh_sensitivity: float


@record
class FocusingAtFrequency:
    frequency_Hz: float
    metrics: FocusingMetrics | None = inline(doc="absent when no current flows (open circuit)")


@record
class FocusingRecord:
    note: str
    at_frequencies: list[FocusingAtFrequency]


@record
class DCDistribution:
    """A DC current distribution at the applied current (primary or with kinetics)."""

    kinetics: str | None = optional()
    voltage_V: float
    resistance_ohm: float
    resistance_ohm_cm2: float
    focusing: FocusingMetrics | None


@record
class DCRecord:
    current_density_A_m2: float
    current_A: float
    primary: DCDistribution
    secondary: DCDistribution | None = optional()


@record
class CurrentMapRecord:
    frequencies_Hz: list[float]
    titles: list[str]
    mean_abs_jn_A_per_cm2_per_V: list[float]
    files: list[str]


@record
class RunSummary:
    """summary.json: the scalars of one run."""

    name: str
    electrode_area_m2: float
    electrode_area_note: str
    resistance_dc_ohm: float | None
    resistance_dc_ohm_cm2: float | None
    impedance_at_max_frequency: ImpedancePoint
    impedance_at_min_frequency: ImpedancePoint
    arcs: list[ArcRecord]
    dofs: int
    degree: int
    mpi_ranks: int
    geometry: GeometryRecord
    field_frequencies_Hz: list[float]
    timings_s: dict[str, float]
    versions: dict[str, str]
    fit: FitRecord | FitFailure
    drt: DRTRecord
    current_map: CurrentMapRecord | None = optional()
    temperature_K: float
    focusing: FocusingRecord
    dc: DCRecord | None = optional()
    accuracy: AccuracyRecord
    sweep: SweepRecord
    linear_solver: LinearSolverRecord
    relaxation: RelaxationRecord


SUMMARY_FILE = "summary.json"


def read_summary(folder: Path) -> RunSummary:
    """The typed summary of a run folder (RecordError, naming the key, if the file does not fit
    the record: e.g. a summary written by another eisfem version)."""
    path = folder / SUMMARY_FILE
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise RecordError(f"{path}: unreadable ({exc})") from None
    return from_json(RunSummary, data, str(path))


def summary_schema() -> dict[str, Any]:
    """The JSON schema of summary.json (``eisfem schema --summary``)."""
    return json_schema(RunSummary, title="eisfem run summary (summary.json)")
