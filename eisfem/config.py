"""The run configuration: a pydantic schema for the YAML files users write.

One config describes one run: the cell, the interface morphology, the materials, the mesh
resolution, the solver and the frequencies. Quantities may carry units ("5.5 mS/cm"); after
validation every field holds SI values, and ``resolved_dict`` echoes them into the run folder.
Geometric consistency (pores that overlap, a contact larger than the electrode) is checked here,
before any meshing, so a bad config fails in milliseconds with a line naming the field.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from eisfem.errors import ConfigError
from eisfem.units import Conductivity, Frequency, Length, quantity

RelativePermittivity = quantity("dimensionless", ge=0, example="30")


class Model(BaseModel):
    """Base of all config sections: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- cell -------------------------------------------------------------------------------------


class PatchCell(Model):
    """A square representative patch of the interface; the side walls are mirror planes."""

    shape: Literal["patch"] = "patch"
    side: Length = Field(description="Side of the square patch (the electrode area is side²)")
    thickness: Length = Field(description="Electrolyte thickness between WE interface and CE")


class CylinderCell(Model):
    """A whole cylindrical pellet with the electrode covering its top face."""

    shape: Literal["cylinder"] = "cylinder"
    radius: Length = Field(description="Pellet radius")
    thickness: Length = Field(description="Pellet (electrolyte) thickness")


Cell = Annotated[PatchCell | CylinderCell, Field(discriminator="shape")]


# --- interface morphology at the working electrode -------------------------------------------


class FullContact(Model):
    """The metal touches the whole electrode area."""

    kind: Literal["full"] = "full"


class DiskContact(Model):
    """The metal touches only a centred disk (Newman's spreading-resistance case)."""

    kind: Literal["disk"] = "disk"
    radius: Length = Field(description="Contact disk radius")


class PoreArray(Model):
    """Resolved voids between metal and electrolyte on a square lattice.

    A pore sits on the flat electrolyte surface; its roof and walls are metal (equipotential),
    its floor is the electrolyte, and it holds a dielectric (vacuum/gas by default).
    """

    kind: Literal["pores"] = "pores"
    shape: Literal["cylinder", "lens"] = Field(
        "cylinder", description="cylinder: flat disc void; lens: spherical cap"
    )
    radius: Length = Field(description="Pore radius at the electrolyte surface")
    height: Length = Field(description="Pore height (cap height for a lens)")
    spacing: Length = Field(description="Centre-to-centre distance of the square lattice")
    gap_model: Literal["resolved", "thin"] = Field(
        "resolved",
        description="resolved: mesh the void; thin: a surface admittance iωε0εr/h on its "
        "footprint (cylinder pores with height ≪ radius)",
    )

    @property
    def area_fraction(self) -> float:
        """Pore area fraction of the interface (the footprints over the lattice cell)."""
        return math.pi * self.radius**2 / self.spacing**2


Interface = Annotated[FullContact | DiskContact | PoreArray, Field(discriminator="kind")]


# --- materials --------------------------------------------------------------------------------


class Material(Model):
    """A linear isotropic medium: κ(ω) = σ + iωε0εr."""

    conductivity: Conductivity = Field(0.0, description="Ionic conductivity σ")
    permittivity: RelativePermittivity = Field(
        1.0, description="Relative permittivity εr (0 switches off displacement current)"
    )


class Materials(Model):
    electrolyte: Material
    pore: Material = Field(
        default_factory=lambda: Material(conductivity=0.0, permittivity=1.0),
        description="Filling of pores and gaps (vacuum by default)",
    )


class Interphase(Model):
    """A uniform layer (e.g. SEI) between electrolyte and working electrode, meshed as a volume."""

    thickness: Length
    conductivity: Conductivity
    permittivity: RelativePermittivity = 1.0


# --- numerics ---------------------------------------------------------------------------------


class MeshSettings(Model):
    """Target element sizes; unset sizes are derived from the geometry (see the summary)."""

    size_bulk: Length | None = Field(None, description="Element size far from the interface")
    size_interface: Length | None = Field(None, description="Element size on the WE interface")
    size_edge: Length | None = Field(None, description="Element size at contact edges")
    refine: float = Field(1.0, gt=0, le=10, description="Divides every size (convergence studies)")
    max_gap_aspect: float = Field(
        15.0, ge=1, le=100, description="Largest element width / pore height in lens pores"
    )
    gap_layers: int = Field(
        1, ge=1, le=20, description="Element layers across a cylinder pore (structured)"
    )


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
        1e-4, ge=1e-12, le=0.1, description="Relative error in Z the fast sweep aims at"
    )
    linear_solver: Literal["direct", "iterative"] = Field(
        "direct",
        description="direct: MUMPS; iterative: GMRES with algebraic multigrid (large meshes)",
    )
    factorization: Literal["ldlt", "lu"] = Field(
        "ldlt", description="MUMPS factorization: ldlt (symmetric, half the memory) or lu"
    )
    mumps_icntl: dict[Annotated[int, Field(ge=1, le=60)], int] = Field(
        default_factory=dict,
        description="MUMPS ICNTL controls, e.g. {35: 2} (block low-rank), {14: 80} (work space)",
    )
    mumps_cntl: dict[Annotated[int, Field(ge=1, le=15)], float] = Field(
        default_factory=dict, description="MUMPS CNTL controls, e.g. {7: 1e-8} (BLR precision)"
    )
    krylov_rtol: float = Field(
        1e-10, gt=0, lt=1, description="Relative residual of the iterative solver"
    )
    krylov_max_iterations: int = Field(1000, ge=1, le=100000)
    petsc_options: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="PETSc options of the linear solver without the leading '-' "
        "(e.g. {ksp_type: fgmres, pc_gamg_threshold: 0.02})",
    )


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


class RunConfig(Model):
    """One eisfem run."""

    name: str = Field("run", min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    cell: Cell
    interface: Interface = Field(default_factory=FullContact)
    interphase: Interphase | None = None
    materials: Materials
    mesh: MeshSettings = Field(default_factory=MeshSettings)
    solver: SolverSettings = Field(default_factory=SolverSettings)
    frequencies: FrequencyRange = Field(default_factory=FrequencyRange)
    output: OutputSettings = Field(default_factory=OutputSettings)

    @model_validator(mode="after")
    def _geometry_fits(self) -> RunConfig:
        check_geometry(self)
        return self

    def resolved_dict(self) -> dict[str, Any]:
        """All fields with defaults filled in, quantities in SI units."""
        return self.model_dump(mode="json")


def electrode_half_width(cell: PatchCell | CylinderCell) -> float:
    """Largest distance from the electrode centre to its edge along x (m)."""
    return cell.side / 2 if isinstance(cell, PatchCell) else cell.radius


def check_geometry(cfg: RunConfig) -> None:
    """Refuse geometries that cannot be built, naming the fields involved."""
    iface = cfg.interface
    half = electrode_half_width(cfg.cell)
    if isinstance(iface, DiskContact) and iface.radius >= half:
        raise ValueError(
            f"interface.radius must be < the electrode half-width {half:g} m "
            f"(got {iface.radius:g} m)"
        )
    if isinstance(iface, PoreArray):
        if not iface.spacing > 2 * iface.radius * 1.02:
            raise ValueError(
                "interface.spacing must be > 2.04 × interface.radius so pores do not touch "
                f"(got spacing {iface.spacing:g} m, radius {iface.radius:g} m)"
            )
        if isinstance(cfg.cell, PatchCell):
            n = cfg.cell.side / iface.spacing
            if abs(n - round(n)) > 1e-6 * n or round(n) < 1:
                raise ValueError(
                    "cell.side must be a whole multiple of interface.spacing for a periodic "
                    f"patch (got side/spacing = {n:.4g})"
                )
        elif 2 * iface.radius > cfg.cell.radius:
            raise ValueError(f"interface.radius must be < cell.radius / 2 (got {iface.radius:g} m)")
        if iface.gap_model == "thin" and iface.shape != "cylinder":
            raise ValueError("interface.gap_model 'thin' needs interface.shape 'cylinder'")
        if iface.shape == "lens" and iface.height > iface.radius:
            raise ValueError(
                "interface.height must be <= interface.radius for a lens (spherical cap) pore "
                f"(got height {iface.height:g} m, radius {iface.radius:g} m)"
            )


# --- loading ----------------------------------------------------------------------------------


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``dotted.key=value`` overrides (value parsed as YAML) to a raw config mapping."""
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected dotted.key=value")
        value = yaml.safe_load(text) if text.strip() else None
        node = raw
        parts = key.strip().split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"--set {item!r}: {part!r} is not a section")
            node = child
        node[parts[-1]] = value
    return raw


def _field_path(raw: Any, loc: tuple[Any, ...]) -> str:
    """Dotted path of a pydantic error location, without the union tags pydantic inserts."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(node, dict) and item in node:
            node = node[item]
            parts.append(str(item))
        elif isinstance(node, list) and isinstance(item, int) and item < len(node):
            node = node[item]
            parts.append(f"[{item}]")
        elif isinstance(node, dict) and item not in {str(v) for v in node.values()}:
            # A missing field: loc names it. (A discriminated-union tag also appears in loc, as
            # the value of the section's `kind`/`shape` key; it does not belong in the path.)
            parts.append(str(item))
            node = None
    return ".".join(parts).replace(".[", "[")


def describe_validation_error(exc: ValidationError, raw: Any, source: str) -> str:
    """One line per problem: ``source: field.path: message``."""
    lines = []
    for err in exc.errors():
        path = _field_path(raw, tuple(err["loc"]))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; `eisfem schema` lists the fields)"
        elif err["type"] == "union_tag_not_found":
            msg = f"missing {err['ctx']['discriminator']} (the kind of this section)"
        elif err["type"] == "union_tag_invalid":
            msg = f"{err['ctx']['tag']!r} is not one of {err['ctx']['expected_tags']}"
        lines.append(f"{source}: {path}: {msg}" if path else f"{source}: {msg}")
    return "\n".join(lines)


def parse_config(raw: Any, source: str = "<config>") -> RunConfig:
    """Validate a raw mapping; raise ConfigError with one line per problem."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of sections (cell, ...)")
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, raw, source)) from None


def read_yaml(path: Path) -> Any:
    """Read a YAML file, turning I/O and syntax errors into one-line ConfigErrors."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}:{where}: {problem}") from None


def load_config(path: str | Path, overrides: list[str] | None = None) -> RunConfig:
    """Read, override and validate a YAML run config."""
    path = Path(path)
    raw = read_yaml(path)
    if raw is None:
        raw = {}
    if isinstance(raw, dict):
        apply_overrides(raw, overrides or [])
    return parse_config(raw, str(path))


def json_schema() -> dict[str, Any]:
    return RunConfig.model_json_schema()
