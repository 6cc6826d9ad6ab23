"""Physical quantities in configs: strings with units ("5.5 mS/cm", "200 nm") become SI floats.

Configs are written by people who think in mS/cm, µm and Ω·cm²; the solver works in SI. Every
dimensional config field is declared with :func:`quantity`, which accepts either a bare number
(already SI) or a string that pint parses, checks the dimension (so "5 mS" for a conductivity is
refused instead of silently misread) and the allowed range, and stores the SI magnitude.
"""

from __future__ import annotations

import math
import re
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
    "1/m^2": "1/m²",
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


# "number unit": pint alone would evaluate any arithmetic in the text, and a power tower such
# as "9**9**9 m" never finishes; so the number is read here, and the unit may carry only short
# whole powers ("cm^2", "m**-1") and no other digits.
_NUMBER_UNIT = re.compile(
    r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*", re.DOTALL
)
_POWER = re.compile(r"(?:\*\*|\^)\s*\(?\s*[-+]?\s*\d{1,2}\s*\)?")


def _split_quantity(text: str) -> tuple[float, str]:
    """``"5.5 mS/cm"`` -> ``(5.5, "mS/cm")``; ValueError for anything else."""
    match = _NUMBER_UNIT.fullmatch(text)
    if match is None:
        raise ValueError(f"cannot read {text!r}: expected a number and a unit, e.g. '200 nm'")
    unit = match[2]
    tower = re.search(_POWER.pattern + r"\s*(?:\*\*|\^)", unit)
    if tower or re.search(r"\d|\*\*|\^", _POWER.sub(" ", unit)):
        raise ValueError(f"cannot read the unit of {text!r} (only small powers: 'cm^2')")
    if unit.startswith("/"):  # "2000 / mm^2": pint wants a numerator
        unit = "1 " + unit
    return float(match[1]), unit


def to_si(value: Any, unit: str) -> float:
    """Convert a bare number (taken as SI) or a unit string to the SI magnitude of ``unit``.

    Raises ValueError with a short message suitable for a one-line config error.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number or a quantity in {SI_UNITS[unit]}, got {value!r}")
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an integer beyond the float range
            raise ValueError(f"an integer of {len(str(value))} digits is out of range") from None
    if not isinstance(value, str):
        raise ValueError(
            f"expected a number or a quantity string in {SI_UNITS[unit]}, got {value!r}"
        )
    number, unit_text = _split_quantity(value)
    ureg = registry()
    try:
        q = ureg.Quantity(number, unit_text) if unit_text else ureg.Quantity(number)
    except Exception as exc:  # pint raises many types for unparsable text
        raise ValueError(f"cannot read {value!r} as a quantity ({type(exc).__name__})") from None
    target = ureg.Quantity(1.0, unit) if unit != "dimensionless" else ureg.Quantity(1.0)
    if q.dimensionality != target.dimensionality:
        expected = SI_UNITS[unit] or "a plain number"
        raise ValueError(f"{value!r} has the wrong dimension; expected a quantity in {expected}")
    try:
        return float(q.to(target.units).magnitude)
    except (ArithmeticError, ValueError):  # overflow in the unit's conversion factor
        raise ValueError(f"{value!r} is out of range") from None


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
