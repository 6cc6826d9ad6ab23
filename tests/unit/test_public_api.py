"""The public API's config loading and names (no meshing; runs are in tests/system)."""

from __future__ import annotations

import pytest

import eisfem
from eisfem.core.errors import ConfigError, EisfemError
from tests.helpers import DEMO


def test_public_names_resolve_and_nothing_else_is_offered():
    assert set(eisfem.__all__) == {
        "Result",
        "__version__",
        "fit",
        "load_config",
        "open_run",
        "run",
        "sweep",
    }
    for name in eisfem.__all__:
        assert getattr(eisfem, name) is not None
    with pytest.raises(AttributeError):
        eisfem.no_such_name  # noqa: B018


def test_changes_as_keywords_mappings_and_cli_texts_agree():
    by_keyword = eisfem.load_config(DEMO, interface__radius="40 um", solver__degree=1)
    by_mapping = eisfem.load_config(DEMO, {"interface.radius": "40 um", "solver.degree": 1})
    by_text = eisfem.load_config(DEMO, ["interface.radius=40 um", "solver.degree=1"])
    assert by_keyword == by_mapping == by_text
    assert by_keyword.interface.radius == pytest.approx(40e-6)
    assert by_keyword != eisfem.load_config(DEMO)


def test_a_config_or_its_mapping_loads_back_unchanged():
    cfg = eisfem.load_config(DEMO)
    assert eisfem.load_config(cfg) == cfg
    assert eisfem.load_config(cfg.resolved_dict()) == cfg
    assert eisfem.load_config(cfg, cell__thickness="30 um").cell.thickness == pytest.approx(30e-6)


def test_bad_changes_are_one_line_config_errors(tmp_path):
    with pytest.raises(ConfigError) as info:
        eisfem.load_config(DEMO, cell__side="5 mS")
    assert "cell.side" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="not a section"):
        eisfem.load_config(DEMO, {"cell.side.x": 1})
    with pytest.raises(ConfigError, match="unknown field"):
        eisfem.load_config({"cell": {"shape": "patch", "sidee": "1 um"}})
    with pytest.raises(EisfemError, match="not a complete run folder"):
        eisfem.open_run(tmp_path)
