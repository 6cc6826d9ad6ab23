"""Property-based tests: random configs and sweep files meet the validators, and nothing but
ConfigError (one line per problem, each naming the file) ever escapes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eisfem.batch.sweep import expand
from eisfem.config import apply_overrides, load_config, parse_config
from eisfem.config.units import to_si
from eisfem.core.errors import ConfigError

SOURCE = "cfg.yaml"

BASE = {
    "cell": {"shape": "patch", "side": "100 um", "thickness": "30 um"},
    "interface": {"kind": "pores", "radius": "20 um", "height": "1 um", "spacing": "50 um"},
    "materials": {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}},
    "mesh": {"refine": 1.0},
    "frequencies": {"max": "1 MHz", "min": "1 Hz", "points_per_decade": 5},
}

# Field paths of the base (and a few that do not exist) to mutate.
PATHS = [
    ("cell", "shape"),
    ("cell", "side"),
    ("cell", "thickness"),
    ("cell", "radius"),
    ("interface", "kind"),
    ("interface", "radius"),
    ("interface", "height"),
    ("interface", "spacing"),
    ("interface", "shape"),
    ("interface", "gap_model"),
    ("materials", "electrolyte", "conductivity"),
    ("materials", "electrolyte", "permittivity"),
    ("materials", "pore"),
    ("mesh", "refine"),
    ("mesh", "gap_layers"),
    ("solver", "degree"),
    ("frequencies", "max"),
    ("frequencies", "min"),
    ("frequencies", "points_per_decade"),
    ("output", "field_frequencies"),
    ("interphase",),
    ("name",),
    ("cell",),
    ("bogus", "field"),
]

units = st.sampled_from(
    [
        "um",
        "nm",
        "m",
        "mS/cm",
        "S/m",
        "mS",
        "Hz",
        "MHz",
        "degC",
        "K",
        "eV",
        "ohm*cm^2",
        "F/cm^2",
        "%",
        "",
        "µm",
        "Ω",
        "m**2",
        "cm^-1",
        "m**9**9**9",
        "1/m",
        "s",
        "kg",
        "foo",
    ]
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -0.0, 5e-324, 1e308, 10**400, -1, 1e-30]),
)
quantity_text = st.builds(
    lambda n, u, sep: f"{n}{sep}{u}", numbers, units, st.sampled_from([" ", "", "  "])
)
scalars = st.one_of(
    numbers,
    quantity_text,
    st.text(max_size=12),
    st.booleans(),
    st.none(),
    st.sampled_from(["patch", "cylinder", "pores", "disk", "full", "lens", "thin", "resolved"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def mutate(raw: dict, path: tuple[str, ...], value) -> dict:
    node = raw
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[path[-1]] = value
    return raw


def assert_config_error_lines(exc: ConfigError, source: str = SOURCE) -> None:
    lines = str(exc).splitlines()
    assert lines, "empty error"
    for line in lines:
        assert line.startswith(source), line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=4))
def test_mutated_configs_raise_only_config_error(mutations):
    raw = copy.deepcopy(BASE)
    for path, value in mutations:
        mutate(raw, path, value)
    try:
        parse_config(raw, SOURCE)
    except ConfigError as exc:
        assert_config_error_lines(exc)


@settings(max_examples=200, deadline=None)
@given(values)
def test_arbitrary_documents_raise_only_config_error(doc):
    try:
        parse_config(doc, SOURCE)
    except ConfigError as exc:
        assert_config_error_lines(exc)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(numbers, quantity_text, st.text(max_size=20)),
    st.sampled_from(["m", "S/m", "Hz", "K", "eV", "ohm*m^2", "F/m^2", "dimensionless"]),
)
def test_unit_parser_raises_only_value_error(value, unit):
    try:
        result = to_si(value, unit)
    except ValueError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(result, float)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_yaml_text_raises_only_config_error(tmp_path_factory, text):
    path = Path(tmp_path_factory.mktemp("yaml")) / "c.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        assert_config_error_lines(exc, str(path))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=25), max_size=3))
def test_overrides_raise_only_config_error(items):
    try:
        raw = apply_overrides(copy.deepcopy(BASE), items)
        parse_config(raw, SOURCE)
    except ConfigError as exc:
        assert str(exc)


sweep_blocks = st.fixed_dictionaries(
    {},
    optional={
        "grid": st.dictionaries(
            st.sampled_from(["interface.radius", "interface.height", "mesh.refine", "x..y", ""]),
            st.lists(scalars, max_size=3),
            max_size=2,
        ),
        "zip": st.dictionaries(
            st.sampled_from(["cell.thickness", "solver.degree", "cell"]),
            st.lists(scalars, max_size=3),
            max_size=2,
        ),
        "random": st.fixed_dictionaries(
            {"samples": st.integers(-1, 3)},
            optional={
                "seed": st.integers(-2, 5),
                "fields": st.dictionaries(
                    st.sampled_from(["interface.height", "mesh.refine"]),
                    st.fixed_dictionaries(
                        {"low": scalars, "high": scalars},
                        optional={"scale": st.sampled_from(["log", "linear", "cubic"])},
                    ),
                    max_size=2,
                ),
            },
        ),
        "seeds": st.fixed_dictionaries(
            {"field": st.sampled_from(["interface.seed", "name", "bad field"])},
            optional={"count": st.integers(-1, 3), "start": st.integers(-1, 3)},
        ),
        "grids": values,
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sweep_blocks, st.dictionaries(st.sampled_from(["solver.degree", "name", "cell"]), scalars))
@example(  # an integer beyond any float once raised OverflowError
    {"random": {"samples": 1, "fields": {"interface.height": {"low": 0.0, "high": 10**400}}}}, {}
)
def test_random_sweep_files_raise_only_config_error(block, fixed):
    raw = {"base": copy.deepcopy(BASE), "set": fixed, "sweep": block}
    try:
        sweep = expand(raw, Path("sweep.yaml"))
    except ConfigError as exc:
        assert_config_error_lines(exc, "sweep.yaml")
    else:
        assert sweep.cases and len({c.id for c in sweep.cases}) == len(sweep.cases)


def test_power_towers_are_refused_quickly():
    """pint would evaluate 9**9**9 (it never finishes); the unit parser refuses it."""
    raw = mutate(copy.deepcopy(BASE), ("cell", "side"), "1 m**9**9**9")
    try:
        parse_config(raw, SOURCE)
    except ConfigError as exc:
        assert "cell.side" in str(exc)
    else:
        raise AssertionError("accepted a power tower")
    assert yaml.safe_dump(raw)  # the raw config stays printable


@pytest.mark.parametrize(
    "mutations, field",
    [
        ([(("cell", "side"), 10**400)], "cell.side"),  # int beyond float: OverflowError
        ([(("cell", "side"), "10**10**3 um")], "cell.side"),  # pint: int too large to convert
        (  # side / spacing = inf: round(inf) raised OverflowError
            [(("interface", "radius"), 5e-324), (("interface", "spacing"), 1.5e-323)],
            "interface.spacing",
        ),
        ([(("cell", "sid\ne"), 1)], "cell.sid\\ne"),  # a newline must not split the line
    ],
)
def test_validator_leaks_found_here_are_config_errors(mutations, field):
    raw = copy.deepcopy(BASE)
    for path, value in mutations:
        mutate(raw, path, value)
    with pytest.raises(ConfigError) as info:
        parse_config(raw, SOURCE)
    assert_config_error_lines(info.value)
    assert field in str(info.value)


def test_override_with_broken_yaml_is_a_config_error():
    with pytest.raises(ConfigError, match="not valid YAML"):
        apply_overrides(copy.deepcopy(BASE), ["cell.side=[1,"])
