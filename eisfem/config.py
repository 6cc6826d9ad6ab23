"""The run configuration: a pydantic schema for the YAML files users write.

One config describes one run: the cell, the interface morphology, the materials, the mesh
resolution, the solver and the frequencies. Quantities may carry units ("5.5 mS/cm"); after
validation every field holds SI values, and ``resolved_dict`` echoes them into the run folder.
Geometric consistency (pores that overlap, a contact larger than the electrode) is checked here,
before any meshing, so a bad config fails in milliseconds with a line naming the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from eisfem.config_base import Model
from eisfem.errors import ConfigError
from eisfem.geometry_config import Cell, FullContact, Interface, check_geometry
from eisfem.geometry_config import CylinderCell as CylinderCell  # re-exported sections
from eisfem.geometry_config import DiskContact as DiskContact
from eisfem.geometry_config import PatchCell as PatchCell
from eisfem.geometry_config import PoreArray as PoreArray
from eisfem.solvers import presets
from eisfem.units import Conductivity, Frequency, Length, quantity

RelativePermittivity = quantity("dimensionless", ge=0, example="30")
Temperature = quantity("K", gt=0, example="25 degC")
ActivationEnergy = quantity("eV", ge=0, lt=5, example="0.26 eV")
AreaResistance = quantity("ohm*m^2", gt=0, example="7 ohm*cm^2")
AreaCapacitance = quantity("F/m^2", ge=0, example="10 uF/cm^2")
ExchangeCurrentDensity = quantity("A/m^2", gt=0, example="1 mA/cm^2")
CurrentDensity = quantity("A/m^2", example="1 mA/cm^2")
ROOM_TEMPERATURE = 298.15  # K


# --- materials --------------------------------------------------------------------------------


class ThermallyActivated(Model):
    """A conductivity given at a reference temperature, Arrhenius σT = σ0·exp(−Ea/kT) in T."""

    activation_energy: ActivationEnergy | None = Field(
        None, description="Ea of the conductivity (none: the same σ at every temperature)"
    )
    reference_temperature: Temperature = Field(
        ROOM_TEMPERATURE, description="Temperature at which the conductivity is given"
    )


class Material(ThermallyActivated):
    """A linear isotropic medium: κ(ω) = σ + iωε0εr."""

    conductivity: Conductivity = Field(0.0, description="Ionic conductivity σ")
    permittivity: RelativePermittivity = Field(
        1.0, description="Relative permittivity εr (0 switches off displacement current)"
    )


class GrainBoundaries(ThermallyActivated):
    """Brick-layer grain boundaries: cubic grains of size d separated by layers of thickness δ."""

    grain_size: Length = Field(description="Grain size d")
    thickness: Length = Field(description="Grain-boundary thickness δ (δ < d)")
    conductivity: Conductivity = Field(description="Grain-boundary (specific) conductivity")
    permittivity: RelativePermittivity = Field(description="Grain-boundary permittivity εr")

    @model_validator(mode="after")
    def _thinner_than_grains(self) -> GrainBoundaries:
        if not self.thickness < self.grain_size:
            raise ValueError(
                "grain_boundaries.thickness must be < grain_boundaries.grain_size "
                f"(got {self.thickness:g} m >= {self.grain_size:g} m)"
            )
        return self


class Electrolyte(Material):
    """The solid electrolyte; with grain_boundaries, σ and εr are those of the grains."""

    preset: str | None = Field(
        None, description=f"Named material filling unset fields: {', '.join(presets.ELECTROLYTES)}"
    )
    grain_boundaries: GrainBoundaries | None = Field(
        None, description="Brick-layer grain boundaries (separate bulk and GB arcs)"
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_from_preset(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or raw.get("preset") is None:
            return raw
        name = raw["preset"]
        if name not in presets.ELECTROLYTES:
            raise ValueError(f"preset {name!r} is not one of {list(presets.ELECTROLYTES)}")
        return presets.merged(presets.ELECTROLYTES[name], raw)


class Materials(Model):
    electrolyte: Electrolyte
    pore: Material = Field(
        default_factory=lambda: Material(conductivity=0.0, permittivity=1.0),
        description="Filling of pores and gaps (vacuum by default)",
    )


class Interphase(ThermallyActivated):
    """A uniform layer (e.g. SEI) between electrolyte and working electrode, meshed as a volume."""

    thickness: Length
    conductivity: Conductivity
    permittivity: RelativePermittivity = 1.0


# --- interface kinetics -----------------------------------------------------------------------


class SurfaceLayer(ThermallyActivated):
    """A thin interphase on a contact as a surface admittance (σ + iωε0εr)/d, not meshed."""

    thickness: Length
    conductivity: Conductivity
    permittivity: RelativePermittivity = 1.0


class ContactKinetics(ThermallyActivated):
    """Charge transfer (R_ct ‖ C_dl) and an optional thin layer in series on a metal contact.

    R_ct and the exchange current density i0 are one parameter (R_ct = RT / (F i0 (αa + αc)),
    the small-signal limit of Butler–Volmer): give one. Its activation energy applies to i0.
    """

    metal: Literal["Na", "Li", "Cu", "Al"] | None = Field(
        None,
        description="Metal preset: Cu and Al block the ion (no charge transfer); Na|NZSP and "
        "Li|LLZO have a preset R_ct",
    )
    charge_transfer_resistance: AreaResistance | None = Field(
        None, description="R_ct (Ω·m²; e.g. '7 ohm*cm^2')"
    )
    exchange_current_density: ExchangeCurrentDensity | None = Field(
        None, description="Butler–Volmer exchange current density i0"
    )
    double_layer_capacitance: AreaCapacitance = Field(
        0.0, description="C_dl in parallel with R_ct (F/m²; e.g. '10 uF/cm^2')"
    )
    alpha_anodic: float = Field(0.5, gt=0, le=2, description="Anodic transfer coefficient αa")
    alpha_cathodic: float = Field(0.5, gt=0, le=2, description="Cathodic transfer coefficient αc")
    layer: SurfaceLayer | None = Field(
        None, description="Thin interphase (SEI) in series with the charge transfer"
    )

    @property
    def blocking(self) -> bool:
        return self.metal is not None and presets.METALS[self.metal]["blocking"]

    @model_validator(mode="after")
    def _consistent(self) -> ContactKinetics:
        given = [
            f
            for f in ("charge_transfer_resistance", "exchange_current_density")
            if getattr(self, f) is not None
        ]
        if len(given) == 2:
            raise ValueError(
                "give charge_transfer_resistance or exchange_current_density, not both "
                "(R_ct = RT/(F·i0·(αa+αc)))"
            )
        if self.blocking and given:
            raise ValueError(f"metal {self.metal} blocks the ion: it has no {given[0]}")
        if self.blocking and self.double_layer_capacitance == 0:
            raise ValueError(
                f"metal {self.metal} blocks the ion: give its double_layer_capacitance (> 0)"
            )
        return self


class Kinetics(Model):
    """Interface kinetics on the working-electrode contact and on the counter electrode."""

    we: ContactKinetics | None = Field(None, description="On we_contact (the WE metal|SE contact)")
    ce: ContactKinetics | None = Field(None, description="On ce (the counter electrode)")


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


class RunConfig(Model):
    """One eisfem run."""

    name: str = Field("run", min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    cell: Cell
    interface: Interface = Field(default_factory=FullContact)
    interphase: Interphase | None = None
    materials: Materials
    temperature: Temperature = Field(ROOM_TEMPERATURE, description="Cell temperature")
    kinetics: Kinetics = Field(default_factory=Kinetics)
    dc: DCSettings | None = None
    focusing: FocusingSettings = Field(default_factory=FocusingSettings)
    mesh: MeshSettings = Field(default_factory=MeshSettings)
    solver: SolverSettings = Field(default_factory=SolverSettings)
    frequencies: FrequencyRange = Field(default_factory=FrequencyRange)
    output: OutputSettings = Field(default_factory=OutputSettings)
    fit: FitSettings = Field(default_factory=FitSettings)

    @model_validator(mode="after")
    def _geometry_fits(self) -> RunConfig:
        check_geometry(self.cell, self.interface)
        return self

    @model_validator(mode="after")
    def _kinetics_complete(self) -> RunConfig:
        check_kinetics(self)
        return self

    def resolved_dict(self) -> dict[str, Any]:
        """All fields with defaults filled in, quantities in SI units."""
        return self.model_dump(mode="json")


def check_kinetics(cfg: RunConfig) -> None:
    """Fill R_ct of known metal|electrolyte pairs; refuse contacts that would do nothing."""
    electrolyte = cfg.materials.electrolyte.preset
    for side in ("we", "ce"):
        k: ContactKinetics | None = getattr(cfg.kinetics, side)
        if k is None:
            continue
        field = f"kinetics.{side}"
        rate_given = k.charge_transfer_resistance or k.exchange_current_density
        if k.metal is not None and not k.blocking and not rate_given:
            pair = (k.metal, electrolyte)
            if pair not in presets.CHARGE_TRANSFER_RESISTANCE:
                raise ValueError(
                    f"{field}: no preset R_ct for {k.metal}|{electrolyte or 'this electrolyte'}; "
                    "give charge_transfer_resistance or exchange_current_density"
                )
            k.charge_transfer_resistance = presets.CHARGE_TRANSFER_RESISTANCE[pair]
        elif not rate_given and not k.blocking:
            if k.double_layer_capacitance > 0:
                raise ValueError(
                    f"{field}.double_layer_capacitance needs charge_transfer_resistance or "
                    "exchange_current_density (or a metal preset that sets one)"
                )
            if k.layer is None:
                raise ValueError(
                    f"{field}: give charge_transfer_resistance, exchange_current_density, a "
                    "blocking metal (Cu, Al) or a layer"
                )
    if cfg.dc is not None:
        for side in ("we", "ce"):
            k = getattr(cfg.kinetics, side)
            if k is not None and k.blocking:
                raise ValueError(
                    f"dc: kinetics.{side}.metal {k.metal} blocks the ion, so no DC current flows"
                )
            if k is not None and k.layer is not None and cfg.dc.kinetics == "butler_volmer":
                raise ValueError(
                    f"dc.kinetics butler_volmer cannot take kinetics.{side}.layer in series; use "
                    "dc.kinetics linear, or model the layer as the meshed `interphase`"
                )


# --- loading ----------------------------------------------------------------------------------


def set_dotted(raw: dict[str, Any], key: str, value: Any) -> None:
    """Set ``raw[a][b][c] = value`` for ``key = "a.b.c"``, creating missing sections.

    Raises ValueError (a short reason) if the key is empty or a part is not a section.
    """
    parts = key.strip().split(".")
    if not all(parts):
        raise ValueError(f"{key!r} is not a dotted field name")
    node = raw
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ValueError(f"{part!r} is not a section")
        node = child
    node[parts[-1]] = value


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``dotted.key=value`` overrides (value parsed as YAML) to a raw config mapping."""
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {item!r}: expected dotted.key=value")
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            raise ConfigError(f"--set {item!r}: the value is not valid YAML") from None
        try:
            set_dotted(raw, key, value)
        except ValueError as exc:
            raise ConfigError(f"--set {item!r}: {exc}") from None
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
        line = f"{source}: {path}: {msg}" if path else f"{source}: {msg}"
        lines.append(printable(line))
    return "\n".join(lines)


def printable(text: str) -> str:
    """Escape control characters (a key with a newline must not split a one-line error)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def parse_config(raw: Any, source: str = "<config>", config_dir: Path | None = None) -> RunConfig:
    """Validate a raw mapping; raise ConfigError with one line per problem.

    ``config_dir`` anchors relative file paths in the config (e.g. a contact-map image).
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of sections (cell, ...)")
    try:
        context = {"config_dir": str(config_dir)} if config_dir is not None else None
        return RunConfig.model_validate(raw, context=context)
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
    return parse_config(raw, str(path), path.resolve().parent)


def json_schema() -> dict[str, Any]:
    return RunConfig.model_json_schema()
