"""Physical quantities in configs: strings with units ("5.5 mS/cm", "200 nm") become SI floats.

Configs are written by people who think in mS/cm, µm and Ω·cm²; the solver works in SI. Every
dimensional config field is declared with :func:`quantity`, which accepts either a bare number
(already SI) or a string that pint parses, checks the dimension (so "5 mS" for a conductivity is
refused instead of silently misread) and the allowed range, and stores the SI magnitude.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Annotated, Any

import pint
from pydantic import BeforeValidator, WithJsonSchema

# SI unit of each quantity kind used in configs, and how it is shown in messages.
SI_UNITS: dict[str, str] = {
    "m": "m",
    "m^2": "m²",
    "S/m": "S/m",
    "Hz": "Hz",
    "F/m^2": "F/m²",
    "ohm*m^2": "Ω·m²",
    "S/m^2": "S/m²",
    "A/m^2": "A/m²",
    "K": "K",
    "eV": "eV",
    "dimensionless": "",
}


@cache
def registry() -> pint.UnitRegistry:
    """The one pint registry of the program (µ and u both mean micro, Ω and ohm both work)."""
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("@alias ohm = Ω = Ohm")
    return ureg


def to_si(value: Any, unit: str) -> float:
    """Convert a bare number (taken as SI) or a unit string to the SI magnitude of ``unit``.

    Raises ValueError with a short message suitable for a one-line config error.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number or a quantity in {SI_UNITS[unit]}, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(
            f"expected a number or a quantity string in {SI_UNITS[unit]}, got {value!r}"
        )
    ureg = registry()
    try:
        q = ureg.Quantity(value.strip())
    except Exception as exc:  # pint raises many types for unparsable text
        raise ValueError(f"cannot read {value!r} as a quantity ({type(exc).__name__})") from None
    target = ureg.Quantity(1.0, unit) if unit != "dimensionless" else ureg.Quantity(1.0)
    if q.dimensionality != target.dimensionality:
        expected = SI_UNITS[unit] or "a plain number"
        raise ValueError(f"{value!r} has the wrong dimension; expected a quantity in {expected}")
    return float(q.to(target.units).magnitude)


def _range_text(gt: float | None, ge: float | None, lt: float | None, le: float | None) -> str:
    parts = []
    if gt is not None:
        parts.append(f"> {gt:g}")
    if ge is not None:
        parts.append(f">= {ge:g}")
    if lt is not None:
        parts.append(f"< {lt:g}")
    if le is not None:
        parts.append(f"<= {le:g}")
    return " and ".join(parts)


def quantity(
    unit: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    example: str = "",
) -> Any:
    """A pydantic field type: a float in SI ``unit`` parsed from a number or a unit string.

    The range check lives here, not in ``Field(gt=...)``, so the message can name the unit and
    echo what the user wrote.
    """
    shown = SI_UNITS[unit]
    allowed = _range_text(gt, ge, lt, le)

    def parse(value: Any) -> float:
        si = to_si(value, unit)
        if not math.isfinite(si):
            raise ValueError(f"must be finite (got {value!r})")
        bad = (
            (gt is not None and not si > gt)
            or (ge is not None and not si >= ge)
            or (lt is not None and not si < lt)
            or (le is not None and not si <= le)
        )
        if bad:
            raise ValueError(f"must be {allowed} {shown} (got {value!r})".replace("  ", " "))
        return si

    description = f"Quantity in {shown or 'plain number'}"
    if allowed:
        description += f", {allowed}"
    description += "; a bare number is SI, a string may carry units"
    if example:
        description += f" (e.g. '{example}')"
    schema = {
        "anyOf": [{"type": "number"}, {"type": "string"}],
        "description": description,
    }
    return Annotated[float, BeforeValidator(parse), WithJsonSchema(schema)]


Length = quantity("m", gt=0, example="200 nm")
Frequency = quantity("Hz", gt=0, example="10 MHz")
Conductivity = quantity("S/m", ge=0, example="5.5 mS/cm")
