"""The one demo run the system tests share: built once per test session through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eisfem.cli import main
from tests.helpers import DEMO

# small but complete: P1, 3 points per decade, the default fast sweep
DEMO_SETTINGS = ["solver.degree=1", "frequencies.points_per_decade=3"]


def demo_arguments(out: Path) -> list[str]:
    """`eisfem run` arguments of the shared demo run into ``out``."""
    sets = [a for item in DEMO_SETTINGS for a in ("--set", item)]
    return ["run", str(DEMO), "--out", str(out), *sets, "--quiet"]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "demo"
    assert main(demo_arguments(out)) == 0
    return out


@pytest.fixture(scope="session")
def demo_summary(demo_run: Path) -> dict:
    return json.loads((demo_run / "summary.json").read_text())
