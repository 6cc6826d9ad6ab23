"""The records of the solver's work in summary.json: sweep, accuracy (and the adaptive
refinement of ``accuracy.target``), linear solver. Part of :mod:`eisfem.simulation.result`."""

from __future__ import annotations

from typing import Any

from eisfem.core.records import optional, record

Number = int | float

# --- solver work ------------------------------------------------------------------------------


@record
class SweepRecord:
    """The frequency sweep: method, solves and (fast sweep) its error control."""

    tolerance: float | None = optional()
    converged: bool | None = optional()
    estimated_max_relative_error: float | None = optional()
    estimate_calibration: float | None = optional()
    snapshot_frequencies_Hz: list[float] | None = optional()
    snapshot_true_errors_of_previous_model: list[float | None] | None = optional()
    snapshot_estimated_errors_of_previous_model: list[float | None] | None = optional()
    basis_size: int | None = optional()
    candidate_frequencies: int | None = optional()
    seconds: float | None = optional()
    method: str
    operator_setups: int
    operator_solves: int


@record
class AdaptiveIteration:
    """One pass of ``accuracy.target``: sweep and estimate on a mesh, then its refinement."""

    iteration: int
    dofs: int
    cells: int
    combined_error_estimate_max: float
    spatial_error_estimate_max: float
    error_from: str | None = optional(
        doc="estimate (p-enrichment on this mesh), prediction (recovery indicators scaled by "
        "the last estimate; a pass still above the target), or 'prediction, then estimate' "
        "(a pass whose prediction reached the target, the last pass, or one whose memory "
        "check needed a fresh measurement): the quoted error is always the final mesh's "
        "estimate"
    )
    marked_cells: int | None = optional(doc="cells marked for refinement after this pass")
    seconds: float = optional(doc="sweep, estimate, indicators and refinement of this pass")


@record
class AccuracyRecord:
    """Relative error estimates of Z (|δZ|/|Z|): discretisation (p-enrichment) and sweep."""

    method: str
    sweep_error_estimate_max: float
    degree: int | None = optional()
    enriched_degree: int | None = optional()
    enriched_dofs: int | None = optional()
    assumed_error_ratio: float | None = optional(
        doc="ρ = e_(p+1)/e_p assumed for the rim singularity; the estimate is |Z_p − Z_(p+1)|/(1−ρ)"
    )
    spatial_error_estimate_max: float | None = optional()
    spatial_error_estimate_at_min_frequency: float | None = optional(
        doc="also the estimate of the DC resistance when the lowest frequency is below every "
        "relaxation"
    )
    combined_error_estimate_max: float | None = optional()
    enriched_sweep_error_estimate_max: float | None = optional()
    enriched_operator_solves: int | None = optional()
    seconds: float | None = optional()
    target: float | None = optional(doc="accuracy.target: the relative error refined for")
    target_reached: bool | None = optional()
    adaptive_stop: str | None = optional(doc="why the adaptive refinement stopped")
    iterations: list[AdaptiveIteration] | None = optional(
        doc="accuracy.target: each pass of solve, estimate and (but the last) refinement"
    )


@record
class LinearSolverRecord:
    """Options, work done and (direct) MUMPS's factor report."""

    method: str
    setups: int
    solves: int
    iterations: int
    setup_seconds: float
    solve_seconds: float
    reuse_attempts: int | None = optional(
        doc="direct: solves at new coefficients first tried with the factor at hand as a "
        "GMRES preconditioner"
    )
    reused: int | None = optional(doc="of those, the ones that converged (a factorization saved)")
    reuse_iterations: int | None = optional(doc="GMRES iterations of those attempts")
    krylov_rtol: float | None = optional()
    petsc_options: dict[str, Any] | None = optional()
    factorization: str | None = optional()
    mumps_icntl: dict[str, Number] | None = optional()
    mumps_cntl: dict[str, Number] | None = optional()
    mumps_infog: dict[str, Number] | None = optional()


# --- the run ----------------------------------------------------------------------------------
