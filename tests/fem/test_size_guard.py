"""`eisfem run` refuses, in one line and before meshing, a run that would not fit in memory."""

from __future__ import annotations

import numpy as np
import pytest

from eisfem.cli.main import main
from eisfem.simulation.size_guard import (
    SizeEstimate,
    TooLargeError,
    check_fits,
    estimate,
    process_memory,
    reset_peak,
)
from tests.helpers import DEMO


def test_refinement_grows_the_estimate_as_the_size_field_says():
    from eisfem.config import load_config

    one, two = (estimate(load_config(DEMO, [f"mesh.refine={k}"])) for k in (1, 2))
    # every size halves: 8× the bulk cells, 4× the graded layers, 2× the edge ramps
    assert 2 < two.cells / one.cells < 8
    assert two.peak_bytes > one.peak_bytes


def test_run_too_large_for_memory_is_refused_with_the_override_named(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", str(DEMO), "--out", str(out), "--set", "mesh.refine=10", "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "GiB are available" in err[0] and "--no-size-check" in err[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_validate_prints_the_estimate(capsys):
    assert main(["validate", str(DEMO), "--set", "mesh.refine=8"]) == 0
    out = capsys.readouterr().out
    assert "cells" in out and "dofs" in out and "GiB" in out


def test_check_fits_compares_with_the_available_memory():
    est = SizeEstimate(cells=10, dofs=10, peak_bytes=2e9)
    check_fits(est, 3e9)
    check_fits(est, None)  # unknown: no refusal
    with pytest.raises(TooLargeError):
        check_fits(est, 1e9)


def test_reset_peak_starts_the_peak_from_what_the_process_holds():
    """The adaptive memory rule scales one pass's peak, not gmsh's meshing before it: after
    reset_peak a freed 200 MB block no longer counts (Linux's clear_refs)."""
    block = np.ones(25_000_000)
    block.fill(2.0)  # resident, not only reserved
    del block
    before = process_memory()[0]
    reset_peak()
    peak, rss = process_memory()
    assert before - peak > 150e6 and peak < rss + 50e6
