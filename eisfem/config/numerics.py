"""Config sections of the numerics and outputs: DC problem, focusing, mesh, solver, frequencies,
outputs and arc fitting."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from eisfem.config.base import Model
from eisfem.config.materials import CurrentDensity
from eisfem.config.units import Frequency, Length
from eisfem.solvers.linear_solver import LinearSolverOptions
from eisfem.solvers.reduced_order import DEFAULT_TOLERANCE

# --- DC current distribution and focusing -----------------------------------------------------


class DCSettings(Model):
    """The DC current distribution at an applied current density."""

    current_density: CurrentDensity = Field(
        description="Applied current over the nominal electrode area; > 0: current from the WE "
        "metal into the electrolyte (WE stripping), < 0: plating"
    )
    kinetics: Literal["butler_volmer", "linear"] = Field(
        "butler_volmer",
        description="Secondary distribution with nonlinear Butler–Volmer kinetics (SNES) or "
        "with the linearised R_ct",
    )

    @model_validator(mode="after")
    def _nonzero(self) -> DCSettings:
        if self.current_density == 0:
            raise ValueError("current_density must be non-zero")
        return self


class FocusingSettings(Model):
    """Mesh-robust current-focusing metrics on the WE contact."""

    band_widths: list[Length] = Field(
        default_factory=lambda: [1e-6],
        description="Widths of the bands along contact edges whose current share is reported",
    )
    thresholds: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: [2.0, 5.0],
        description="k: report the contact-area share where |j| > k × j_nominal",
    )
    percentiles: list[Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: [50.0, 90.0, 99.0],
        description="Area-weighted percentiles of |j|/j_nominal over the contact",
    )


# --- numerics ---------------------------------------------------------------------------------


class MeshSettings(Model):
    """Target element sizes; unset sizes are derived from the geometry (see the summary)."""

    size_bulk: Length | None = Field(None, description="Element size far from the interface")
    size_interface: Length | None = Field(None, description="Element size on the WE interface")
    size_edge: Length | None = Field(None, description="Element size at contact edges")
    refine: float = Field(1.0, gt=0, le=10, description="Divides every size (convergence studies)")
    max_gap_aspect: float = Field(
        15.0, ge=1, le=100, description="Largest element width / pore height in cap pores"
    )
    gap_layers: int = Field(
        1, ge=1, le=20, description="Element layers across a flat pore or gap (structured)"
    )
    geometry_order: Literal[1, 2] = Field(
        2,
        description="Order of the mesh geometry: 2 curves walls, rims and caps onto the CAD "
        "surfaces (isoparametric with P2); 1 meshes them as flat facets",
    )


SOLVER_DEFAULTS = LinearSolverOptions()  # the defaults live with the solver, not here


class SolverSettings(Model):
    degree: Literal[1, 2] = Field(
        2, description="Lagrange degree of the potential (P2: far more accurate per dof)"
    )
    sweep: Literal["fast", "direct"] = Field(
        "fast",
        description="fast: error-controlled reduced-order model (a few solves per spectrum); "
        "direct: one solve per frequency (the reference)",
    )
    sweep_tolerance: float = Field(
        DEFAULT_TOLERANCE,
        ge=1e-12,
        le=0.1,
        description="Relative error in Z the fast sweep aims at",
    )
    linear_solver: Literal["direct", "iterative"] = Field(
        SOLVER_DEFAULTS.method,
        description="direct: MUMPS; iterative: GMRES with algebraic multigrid (large meshes)",
    )
    factorization: Literal["ldlt", "lu"] = Field(
        SOLVER_DEFAULTS.factorization,
        description="MUMPS factorization: ldlt (symmetric, half the memory) or lu",
    )
    mumps_icntl: dict[Annotated[int, Field(ge=1, le=60)], int] = Field(
        default_factory=dict,
        description="MUMPS ICNTL controls added to the defaults (ICNTL(14) = 50: 50 % extra work "
        "space), e.g. {35: 2} (block low-rank), {14: 80}",
    )
    mumps_cntl: dict[Annotated[int, Field(ge=1, le=15)], float] = Field(
        default_factory=dict, description="MUMPS CNTL controls, e.g. {7: 1e-8} (BLR precision)"
    )
    krylov_rtol: float = Field(
        SOLVER_DEFAULTS.rtol, gt=0, lt=1, description="Relative residual of the iterative solver"
    )
    krylov_max_iterations: int = Field(SOLVER_DEFAULTS.max_iterations, ge=1, le=100000)
    petsc_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="PETSc options of the linear solver without the leading '-' "
        "(e.g. {ksp_type: fgmres, pc_gamg_threshold: 0.02})",
    )


class AccuracySettings(Model):
    """How the accuracy of the spectrum is reported."""

    estimate: bool = Field(
        True,
        description="Estimate the discretisation error of Z at every frequency by a second "
        "sweep at degree + 1 on the same mesh (p-enrichment; the dominant extra cost of a run)",
    )
    target: float | None = Field(
        None,
        ge=1e-4,
        lt=0.5,
        description="Relative error of Z to refine for: the mesh is refined adaptively where "
        "the estimate is made until it is below the target at every frequency (unset: no "
        "refinement). Not below 1e-4, the fast sweep's default error (solver.sweep_tolerance)",
    )
    max_iterations: int = Field(
        8, ge=1, le=30, description="Most solve-estimate-refine passes of accuracy.target"
    )
    max_dofs: int = Field(
        2_000_000,
        ge=1000,
        description="accuracy.target stops refining once a mesh has this many dofs (degree p)",
    )

    @model_validator(mode="after")
    def _estimated(self) -> AccuracySettings:
        if self.target is not None and not self.estimate:
            raise ValueError("accuracy.target needs accuracy.estimate: true (it refines by it)")
        return self


class FrequencyRange(Model):
    """Log-spaced frequencies, swept from high to low as an analyser does."""

    max: Frequency = 1e7
    min: Frequency = 1.0
    points_per_decade: int = Field(10, ge=1, le=200)

    @model_validator(mode="after")
    def _ordered(self) -> FrequencyRange:
        if not self.max > self.min:
            raise ValueError(
                "frequencies.max must be > frequencies.min "
                f"(got {self.max:g} Hz <= {self.min:g} Hz)"
            )
        return self


class OutputSettings(Model):
    field_frequencies: list[Frequency] = Field(
        default_factory=list, description="Extra frequencies at which fields are written"
    )
    fields_at_apex: bool = Field(True, description="Write fields at each arc's apex frequency")
    fields_at_dc: bool = Field(True, description="Write the DC (primary) field")
    render: bool = Field(
        True,
        description="Render the interface current maps and the potential cross-section "
        "(pyvista, offscreen)",
    )


class FitSettings(Model):
    """Equivalent-circuit fit R_s + Σ (R‖CPE) of the simulated spectrum."""

    arcs: int | None = Field(
        None, ge=1, le=6, description="Number of (R‖CPE) arcs; default: the number of apexes"
    )
    labels: list[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]*$")]] | None = Field(
        None,
        description="Names of the arcs from high to low frequency (e.g. [bulk, gb, cstr]); "
        "default: matched to the model's known relaxation times",
    )

    @model_validator(mode="after")
    def _consistent(self) -> FitSettings:
        if self.labels is not None:
            if len(set(self.labels)) != len(self.labels):
                raise ValueError(f"fit.labels must be distinct (got {self.labels})")
            if self.arcs is not None and len(self.labels) != self.arcs:
                raise ValueError(
                    f"fit.labels must name fit.arcs = {self.arcs} arcs (got {len(self.labels)})"
                )
        return self
