"""Fit files: a base run config, a measured spectrum and the free fields with their bounds.

A fit file (see ``configs/fit-demo.yaml``)::

    base: demo.yaml               # a run config (path relative to this file) or a mapping
    measured: {path: cell.mpt, area: 0.785 cm^2}   # no area: the file is in Ω·cm²
    free:                         # dotted config fields, bounds in config units
      interface.radius: {low: 30 um, high: 49 um, scale: linear}
      interface.height: {low: 5 nm, high: 200 nm, scale: log}
    frequencies: {min: 1 kHz, max: 10 MHz}        # optional: the measured window to fit

Each bound is checked by the run-config validator before anything is solved, by validating
the base config at every corner of the bounds box (2^n configs), so a bound the validator
would refuse (a radius beyond the patch, a height of 0) stops the fit with one line naming the
fit file, the field and the reason. Values are then read back from the validated config, in
SI units, whatever units the bounds were written in.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError

from eisfem.batch.sweep import DottedField, dotted_get
from eisfem.config import (
    RunConfig,
    apply_overrides,
    describe_validation_error,
    parse_config,
    read_yaml,
    set_dotted,
)
from eisfem.config.base import Model
from eisfem.config.units import Frequency, quantity
from eisfem.core.errors import ConfigError
from eisfem.inverse.uncertainty import Coordinate

MAX_FREE = 6  # 2^6 corner checks; more free fields than that is a search, not a fit
Area = quantity("m^2", gt=0, example="0.785 cm^2")
CM2 = 1e-4  # m²: the area of values that are already per cm²
Bound = int | float | str


class FreeField(Model):
    low: Bound = Field(description="Lower bound (config units, e.g. '4 um')")
    high: Bound = Field(description="Upper bound")
    scale: Literal["linear", "log"] = Field(
        "linear", description="Fit in p (linear) or ln p (log: for ranges over decades)"
    )
    start: Bound | None = Field(
        None, description="Initial value (default: the base config's, or the middle of the range)"
    )


class MeasuredFile(Model):
    path: str = Field(description="Measured spectrum (formats as `eisfem compare`)")
    area: Area | None = Field(
        None, description="Measured electrode area (none: the file is in ohm cm^2)"
    )
    spectrum: int = Field(0, ge=0, description="Which spectrum of a multi-sweep file")


class Window(Model):
    min: Frequency | None = None
    max: Frequency | None = None


class FitFile(Model):
    base: str | dict[str, Any] = Field(
        description="Run config: a YAML path relative to the fit file, or an inline mapping"
    )
    measured: MeasuredFile
    free: dict[DottedField, FreeField] = Field(min_length=1, max_length=MAX_FREE)
    frequencies: Window = Field(default_factory=Window)
    max_evaluations: Annotated[int, Field(ge=4, le=10_000)] = Field(
        100, description="Budget of forward evaluations (each iteration costs 1 + n)"
    )


@dataclass(frozen=True)
class FitProblem:
    """Everything the fit needs, validated: base config (raw), parameters, measured data."""

    source: Path
    base: dict[str, Any]  # raw run-config mapping, overrides applied
    config_dir: Path  # anchors relative paths in the base config (contact-map images)
    coords: list[Coordinate]  # SI bounds
    start: np.ndarray  # SI
    measured_path: Path
    measured_area: float | None  # m²; None: area-specific file
    spectrum_index: int
    max_evaluations: int
    window: tuple[float, float]  # Hz

    @property
    def fields(self) -> list[str]:
        return [c.name for c in self.coords]

    def raw_config(self, values: np.ndarray) -> dict[str, Any]:
        raw = copy.deepcopy(self.base)
        for field, v in zip(self.fields, values, strict=True):
            set_dotted(raw, field, float(v))
        return raw

    def config(self, values: np.ndarray) -> RunConfig:
        return parse_config(self.raw_config(values), str(self.source), self.config_dir)

    def with_mesh(self, sizes: dict[str, float]) -> FitProblem:
        """The same problem with ``mesh.<key>`` set to ``sizes`` in the base config."""
        base = copy.deepcopy(self.base)
        for key, value in sizes.items():
            set_dotted(base, f"mesh.{key}", value)
        return replace(self, base=base)


def _resolve_value(
    base: dict[str, Any], field: str, value: Bound, where: str, config_dir: Path
) -> float:
    """``value`` (config units) in SI, as the validator reads it with the rest of the base."""
    raw = copy.deepcopy(base)
    try:
        set_dotted(raw, field, value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    resolved = dotted_get(parse_config(raw, where, config_dir).resolved_dict(), field)
    if not isinstance(resolved, float):  # ints (counts, seeds) and choices cannot be fitted
        raise ConfigError(f"{where}: {field} is not a continuous quantity (got {resolved!r})")
    return float(resolved)


def _coordinate(
    base: dict[str, Any], field: str, spec: FreeField, source: Path, config_dir: Path
) -> Coordinate:
    where = f"{source}: free.{field}"
    low = _resolve_value(base, field, spec.low, f"{where}.low", config_dir)
    high = _resolve_value(base, field, spec.high, f"{where}.high", config_dir)
    if not high > low:
        raise ConfigError(f"{where}: high must be > low (got {spec.high!r} <= {spec.low!r})")
    if spec.scale == "log" and not low > 0:
        raise ConfigError(f"{where}: a log scale needs low > 0 (got {spec.low!r})")
    return Coordinate(field, low, high, spec.scale)


def _start(
    base: dict[str, Any], c: Coordinate, spec: FreeField, source: Path, config_dir: Path
) -> float:
    where = f"{source}: free.{c.name}.start"
    if spec.start is not None:
        value = _resolve_value(base, c.name, spec.start, where, config_dir)
        if not c.low <= value <= c.high:
            raise ConfigError(f"{where}: must lie between low and high (got {spec.start!r})")
        return value
    current = dotted_get(base, c.name)
    if current is not None:
        try:
            value = _resolve_value(base, c.name, current, where, config_dir)
        except ConfigError:
            value = None
        if value is not None and c.low <= value <= c.high:
            return value
    return float(c.from_fit((c.to_fit(c.low) + c.to_fit(c.high)) / 2))


def _check_corners(
    base: dict[str, Any], coords: list[Coordinate], source: Path, config_dir: Path
) -> None:
    """Validate the base config at every corner of the bounds box."""
    for corner in itertools.product(*[(c.low, c.high) for c in coords]):
        raw = copy.deepcopy(base)
        for c, v in zip(coords, corner, strict=True):
            set_dotted(raw, c.name, v)
        shown = ", ".join(f"{c.name}={v:.4g}" for c, v in zip(coords, corner, strict=True))
        parse_config(raw, f"{source}: free: at the corner {shown} (SI)", config_dir)


def load_fit(path: str | Path, overrides: list[str] | None = None) -> FitProblem:
    """Read a fit file; ``overrides`` (``--set``) fix fields of the base config."""
    return parse_fit(read_yaml(Path(path)), Path(path), overrides)


def parse_fit(raw: Any, path: Path, overrides: list[str] | None = None) -> FitProblem:
    """Validate a fit mapping read from ``path`` (which anchors its relative paths)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping with base, measured and free")
    try:
        spec = FitFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, raw, str(path))) from None
    config_dir = path.resolve().parent
    if isinstance(spec.base, dict):
        base = copy.deepcopy(spec.base)
    else:
        base_path = config_dir / spec.base
        base = read_yaml(base_path)
        config_dir = base_path.parent
        if not isinstance(base, dict):
            raise ConfigError(f"{path}: base {spec.base}: not a mapping of config sections")
    apply_overrides(base, overrides or [])
    parse_config(base, f"{path} (base)", config_dir)
    coords = [_coordinate(base, f, s, path, config_dir) for f, s in spec.free.items()]
    _check_corners(base, coords, path, config_dir)
    start = np.array([_start(base, c, spec.free[c.name], path, config_dir) for c in coords])
    lo = spec.frequencies.min or 0.0
    hi = spec.frequencies.max or np.inf
    if not hi > lo:
        raise ConfigError(f"{path}: frequencies.max must be > frequencies.min")
    measured = Path(spec.measured.path).expanduser()
    if not measured.is_absolute():
        measured = (path.parent / measured).resolve()
    return FitProblem(
        source=path,
        base=base,
        config_dir=config_dir,
        coords=coords,
        start=start,
        measured_path=measured,
        measured_area=spec.measured.area,
        spectrum_index=spec.measured.spectrum,
        max_evaluations=spec.max_evaluations,
        window=(lo, hi),
    )
