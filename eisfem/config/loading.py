"""Loading run configs: YAML files, dotted ``--set`` overrides and one-line validation errors."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from eisfem.config.run_config import RunConfig
from eisfem.core import safe_yaml
from eisfem.core.errors import ConfigError

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
            value = safe_yaml.load_text(text) if text.strip() else None
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
    name = printable(str(path))
    try:
        with path.open(encoding="utf-8") as f:
            text = f.read(safe_yaml.MAX_BYTES + 1)  # a huge file is refused, not read whole
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not a text (UTF-8) file") from None
    try:
        return safe_yaml.load_text(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f": line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc) or "invalid YAML"
        raise ConfigError(printable(f"{name}{where}: {problem}")) from None


def set_values(raw: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Set ``{"dotted.key": value}`` (Python values, e.g. ``"40 um"`` or ``2``) in ``raw``."""
    for key, value in values.items():
        try:
            set_dotted(raw, key, value)
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}") from None
    return raw


def load_config(
    source: str | Path | Mapping[str, Any],
    overrides: Sequence[str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> RunConfig:
    """Read (a YAML file) or take (a mapping of sections), override and validate a run config.

    ``overrides`` are ``dotted.key=value`` texts (the CLI's ``--set``, values parsed as YAML),
    ``values`` a mapping of dotted keys to Python values; relative file paths in a mapping
    resolve against the working directory, in a file against the file's folder.
    """
    if isinstance(source, Mapping):
        raw: Any = copy.deepcopy(dict(source))
        name, folder = "<config>", None
    else:
        path = Path(source)
        raw = read_yaml(path)
        name, folder = str(path), path.resolve().parent
    if raw is None:
        raw = {}
    if isinstance(raw, dict) and "sweep" in raw:
        raise ConfigError(
            printable(f"{path} is a sweep file (it has a sweep: block): use `eisfem sweep`")
        )
    if isinstance(raw, dict):
        apply_overrides(raw, list(overrides or []))
        set_values(raw, values or {})
    return parse_config(raw, name, folder)


def json_schema() -> dict[str, Any]:
    return RunConfig.model_json_schema()
