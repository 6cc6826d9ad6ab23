"""Sweep files: a base run config plus a ``sweep:`` block, expanded into validated cases.

A sweep file (see ``configs/sweep-contact.yaml``)::

    base: demo.yaml              # a run config: a path relative to this file, or a mapping
    set:                         # optional: fields fixed for every case
      solver.degree: 1
    sweep:
      grid:                      # every combination of the listed values
        interface.radius: [30 um, 40 um]
        interface.height: [20 nm, 200 nm]
      zip:                       # lists walked together: one case per position
        cell.thickness: [20 um, 40 um]
        mesh.size_bulk: [4 um, 8 um]
      random:                    # seeded random samples of ranges
        samples: 8
        seed: 1
        fields:
          interface.height: {low: 20 nm, high: 2 um, scale: log}
      seeds:                     # replicates of every point, for random geometries
        field: interface.seed
        count: 3                 # values start, start + 1, ... (start defaults to 0)

The blocks that are present combine as a product (grid × zip × random × seeds). Every field is
a dotted path into the run config, exactly as for ``eisfem run --set``: nothing here knows
which fields exist, so fields added to the run config later can be swept without a change
here; the run-config validator checks every case before anything runs.

Each case is named by a short hash of its resolved config (SI values, defaults filled in, the
``name`` left out, floats to 12 significant digits): the same physics maps to the same run
folder whatever units or key order it was written with, which is what lets a re-run find the
work already done.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from eisfem.config import (
    RunConfig,
    describe_validation_error,
    printable,
    read_yaml,
    set_dotted,
)
from eisfem.config.base import Model
from eisfem.config.units import registry
from eisfem.core.errors import ConfigError

MAX_CASES = 100_000
ID_LENGTH = 12  # hex digits of SHA-256: a collision among 10⁵ cases has odds ~1e-5
MAX_PROBLEM_LINES = 10

DottedField = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]


class RandomRange(Model):
    """A range to sample: numbers, or quantities with units ("20 nm")."""

    low: int | float | str
    high: int | float | str
    scale: Literal["linear", "log"] = Field(
        "linear", description="linear: uniform; log: uniform in the logarithm"
    )


class RandomSamples(Model):
    samples: int = Field(ge=1, le=MAX_CASES, description="Number of random points")
    seed: int = Field(0, ge=0, description="Seed of the generator (same seed, same samples)")
    fields: dict[DottedField, RandomRange] = Field(min_length=1)


class Seeds(Model):
    field: DottedField = Field(description="Config field that takes the seed")
    count: int = Field(ge=1, le=10_000, description="Seeds per point")
    start: int = Field(0, ge=0, description="First seed")


class SweepBlock(Model):
    grid: dict[DottedField, list[Any]] = Field(default_factory=dict)
    zip: dict[DottedField, list[Any]] = Field(default_factory=dict)
    random: RandomSamples | None = None
    seeds: Seeds | None = None

    @field_validator("grid", "zip")
    @classmethod
    def _non_empty_lists(cls, lists: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in lists.items():
            if not values:
                raise ValueError(f"{key}: empty list of values (give at least one)")
        return lists

    @field_validator("zip")
    @classmethod
    def _same_length(cls, lists: dict[str, list[Any]]) -> dict[str, list[Any]]:
        lengths = {key: len(values) for key, values in lists.items()}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
            raise ValueError(f"zip lists must have the same length (got {shown})")
        return lists

    @model_validator(mode="after")
    def _something_to_sweep(self) -> SweepBlock:
        if not (self.grid or self.zip or self.random or self.seeds):
            raise ValueError("no cases: give at least one of grid, zip, random, seeds")
        return self

    def fields(self) -> list[str]:
        """The swept fields in file order; a field swept twice is refused."""
        names = [*self.grid, *self.zip]
        if self.random:
            names += list(self.random.fields)
        if self.seeds:
            names.append(self.seeds.field)
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} swept more than once")
        return names


class SweepFile(Model):
    base: str | dict[str, Any] = Field(
        description="Run config: a YAML path relative to the sweep file, or an inline mapping"
    )
    set: dict[DottedField, Any] = Field(
        default_factory=dict, description="Fields fixed for every case (dotted keys)"
    )
    sweep: SweepBlock


@dataclass(frozen=True)
class Case:
    index: int
    id: str
    params: dict[str, Any]  # swept field -> value as written in the sweep file
    config: RunConfig

    def values(self) -> dict[str, Any]:
        """The swept fields' resolved values (SI, 12 digits), for tables and plots."""
        resolved = self.config.resolved_dict()
        return {field: _canonical(dotted_get(resolved, field)) for field in self.params}

    def label(self) -> str:
        return printable(", ".join(f"{k}={v}" for k, v in self.params.items()))


@dataclass(frozen=True)
class Sweep:
    source: Path
    fields: list[str]
    cases: list[Case]


def dotted_get(data: dict[str, Any], field: str) -> Any:
    node: Any = data
    for part in field.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _canonical(value: Any) -> Any:
    """Floats to 12 significant digits, so that "20 um" and "0.02 mm" hash alike."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def case_id(cfg: RunConfig) -> str:
    """Short hash of the resolved config without its ``name``."""
    data = cfg.resolved_dict()
    data.pop("name", None)
    text = json.dumps(_canonical(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:ID_LENGTH]


# --- expansion ---------------------------------------------------------------------------------

Axis = list[dict[str, Any]]  # one entry per position along the axis: field -> value


def _random_axis(spec: RandomSamples) -> Axis:
    rng = np.random.default_rng(spec.seed)
    columns = {}
    for field, field_range in spec.fields.items():
        try:
            columns[field] = _draw(rng, field_range, spec.samples)
        except ValueError as exc:
            raise ValueError(f"random.fields.{field}: {exc}") from None
    return [{f: columns[f][i] for f in columns} for i in range(spec.samples)]


def _draw(rng: np.random.Generator, spec: RandomRange, n: int) -> list[Any]:
    """``n`` samples of a range; quantities come back as strings in the unit of ``low``."""
    if isinstance(spec.low, int) and isinstance(spec.high, int) and spec.scale == "linear":
        if spec.high < spec.low:
            raise ValueError(f"high ({spec.high}) must be >= low ({spec.low})")
        return [int(v) for v in rng.integers(spec.low, spec.high, size=n, endpoint=True)]
    ureg = registry()
    try:
        low = ureg.Quantity(spec.low)
        high = ureg.Quantity(spec.high).to(low.units)
    except Exception as exc:  # pint raises many types for unparsable or mismatched units
        raise ValueError(f"cannot read low/high as quantities of one kind ({exc})") from None
    try:
        lo, hi = float(low.magnitude), float(high.magnitude)
    except OverflowError:  # an integer beyond any float: not finite
        lo = hi = math.inf
    if not (math.isfinite(lo) and math.isfinite(hi) and hi >= lo):
        raise ValueError(f"needs finite low <= high (got {spec.low!r}, {spec.high!r})")
    if spec.scale == "log":
        if lo <= 0:
            raise ValueError(f"a log scale needs low > 0 (got {spec.low!r})")
        samples = np.exp(rng.uniform(math.log(lo), math.log(hi), size=n))
    else:
        samples = rng.uniform(lo, hi, size=n)
    if low.dimensionless and isinstance(spec.low, int | float):
        return [float(v) for v in samples]
    return [f"{v:.6g} {low.units:~}" for v in samples]


def _axes(block: SweepBlock) -> list[Axis]:
    axes: list[Axis] = [[{field: v} for v in values] for field, values in block.grid.items()]
    if block.zip:
        columns = list(block.zip.items())
        length = len(columns[0][1])
        axes.append([{f: values[i] for f, values in columns} for i in range(length)])
    if block.random:
        axes.append(_random_axis(block.random))
    if block.seeds:
        s = block.seeds
        axes.append([{s.field: s.start + k} for k in range(s.count)])
    return axes


def _load_base(spec: SweepFile, source: Path) -> tuple[dict[str, Any], Path]:
    """The base config and the folder its relative paths (masks) are relative to: the base
    file's own folder, or the sweep file's for an inline base."""
    if isinstance(spec.base, dict):
        return spec.base, source.resolve().parent
    path = (source.parent / spec.base).resolve()
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections (cell, ...)")
    return raw, path.parent


def _parse_sweep_file(raw: Any, source: Path) -> SweepFile:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the top level must be a mapping with base and sweep")
    try:
        return SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, raw, str(source))) from None


def _summarise(problems: dict[str, list[dict[str, Any]]], total: int) -> str:
    """One line per distinct problem, with the first case that has it and how many do."""
    lines = []
    for line, cases in list(problems.items())[:MAX_PROBLEM_LINES]:
        where = ", ".join(f"{k}={v}" for k, v in cases[0].items())
        count = "all cases" if len(cases) == total else f"{len(cases)} of {total} cases"
        lines.append(printable(f"{line} ({count}; first: {where})"))
    if len(problems) > MAX_PROBLEM_LINES:
        lines.append(f"... and {len(problems) - MAX_PROBLEM_LINES} more problems")
    return "\n".join(lines)


def _build_case(
    base: dict[str, Any],
    config_dir: Path,
    fixed: dict[str, Any],
    params: dict[str, Any],
    where: str,
    cases: list[Case],
) -> list[str]:
    """Validate one case and append it to ``cases``; return its problems, one line each."""
    raw = copy.deepcopy(base)
    for field, value in [*fixed.items(), *params.items()]:
        try:
            set_dotted(raw, field, copy.deepcopy(value))
        except ValueError as exc:  # the dotted path runs into a value that is not a section
            return [f"{where}: {field}: {exc}"]
    try:
        cfg = RunConfig.model_validate(raw, context={"config_dir": str(config_dir)})
    except ValidationError as exc:
        return describe_validation_error(exc, raw, where).splitlines()
    cases.append(Case(len(cases), case_id(cfg), params, cfg))
    return []


def expand(raw: Any, source: Path) -> Sweep:
    """Expand a raw sweep mapping into validated cases; ConfigError names file and field."""
    spec = _parse_sweep_file(raw, source)
    try:
        fields = spec.sweep.fields()
        axes = _axes(spec.sweep)
    except ValueError as exc:
        raise ConfigError(f"{source}: sweep: {exc}") from None
    fixed = sorted(set(spec.set) & set(fields))
    if fixed:
        raise ConfigError(f"{source}: set: {', '.join(fixed)} is also swept")
    total = math.prod(len(axis) for axis in axes)
    if total > MAX_CASES:
        raise ConfigError(f"{source}: sweep: {total} cases; at most {MAX_CASES} are allowed")
    base, config_dir = _load_base(spec, source)
    where = str(source) if isinstance(spec.base, dict) else f"{source} (base {spec.base})"
    problems: dict[str, list[dict[str, Any]]] = {}
    cases: list[Case] = []
    for combo in itertools.product(*axes):
        params = {k: v for part in combo for k, v in part.items()}
        for line in _build_case(base, config_dir, spec.set, params, where, cases):
            problems.setdefault(line, []).append(params)
    if problems:
        raise ConfigError(_summarise(problems, total))
    seen: dict[str, Case] = {}
    for case in cases:
        if case.id in seen:
            raise ConfigError(
                f"{source}: sweep: cases ({seen[case.id].label()}) and ({case.label()}) "
                "resolve to the same config"
            )
        seen[case.id] = case
    return Sweep(source, fields, cases)


def load_sweep(path: str | Path) -> Sweep:
    """Read and expand a sweep file."""
    path = Path(path)
    return expand(read_yaml(path), path)
