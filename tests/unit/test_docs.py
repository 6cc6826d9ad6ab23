"""The README's config reference names every config field (catches docs drifting from code)."""

from __future__ import annotations

import types
import typing

from pydantic import BaseModel

from eisfem.config import RunConfig
from tests.helpers import ROOT

README = ROOT / "README.md"


def _models(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out = []
    for arg in typing.get_args(annotation):
        out += _models(arg)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return out
    return out


def field_names(model: type[BaseModel], prefix: str = "") -> set[str]:
    names = set()
    for name, info in model.model_fields.items():
        subs = _models(info.annotation)
        if subs:
            for sub in subs:
                names |= field_names(sub, f"{prefix}{name}.")
        else:
            names.add(f"{prefix}{name}")
    return names


def test_readme_documents_every_field():
    text = README.read_text()
    missing = []
    for path in sorted(field_names(RunConfig)):
        head, _, leaf = path.rpartition(".")
        # rows may group siblings: `interphase.thickness`, `.conductivity`
        if f"`{path}`" not in text and not (head and f"`{head}." in text and f"`.{leaf}`" in text):
            missing.append(path)
    assert not missing, f"README config reference lacks: {missing}"


def test_readme_documents_the_public_api():
    """Every public name (eisfem.__all__) is in the README's API table, and resolves."""
    import eisfem

    text = README.read_text()
    for name in eisfem.__all__:
        if name != "__version__":
            assert f"`eisfem.{name}" in text, name
        assert getattr(eisfem, name) is not None
