"""The public Python API: one code path with the CLI, and what a Result gives a notebook."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import eisfem
from eisfem.core.owned import MARK
from tests.helpers import DEMO
from tests.system.conftest import DEMO_SETTINGS

COARSE = {"solver.degree": 1, "frequencies.points_per_decade": 3}
# a 20 µm patch with one pore: a few seconds per sweep case
TINY = {
    "cell.side": "20 um",
    "cell.thickness": "10 um",
    "interface.radius": "6 um",
    "interface.height": "1 um",
    "interface.spacing": "20 um",
    "frequencies.min": "1 MHz",
    "output.fields_at_apex": False,
    "output.render": False,
}
# keys of summary.json that measure time (or say where the run went), not results
CLOCKS = {
    "timings_s",
    "meshing_seconds",
    "conversion_seconds",
    "seconds",
    "setup_seconds",
    "solve_seconds",
}


@pytest.fixture(scope="module")
def runs(demo_run: Path, tmp_path_factory) -> tuple[Path, eisfem.Result]:
    """The session's demo run (made by `eisfem run`) and the same run made with the API."""
    assert [f"{key}={value}" for key, value in COARSE.items()] == DEMO_SETTINGS
    result = eisfem.run(
        eisfem.load_config(DEMO, solver__degree=1, frequencies__points_per_decade=3),
        tmp_path_factory.mktemp("api") / "demo",
        quiet=True,
    )
    return demo_run, result


def _without_clocks(data):
    if isinstance(data, dict):
        return {k: _without_clocks(v) for k, v in data.items() if k not in CLOCKS}
    if isinstance(data, list):
        return [_without_clocks(v) for v in data]
    return data


def _h5_datasets(path: Path) -> dict[str, bytes]:
    """Every dataset of an HDF5 file as raw bytes (HDF5 also stores object modification times,
    so the files themselves differ between two runs)."""
    import h5py

    out: dict[str, bytes] = {}
    with h5py.File(path, "r") as h5:
        h5.visititems(
            lambda name, obj: (
                out.__setitem__(name, obj[()].tobytes()) if isinstance(obj, h5py.Dataset) else None
            )
        )
    return out


def test_cli_and_api_write_the_same_run(runs):
    """Both run folders hold the same files with the same bytes: HDF5 datasets bit for bit,
    summary.json up to the wall-clock times it records, COMPLETE and the .eisfem-run marker
    (time stamps, process id) aside."""
    cli, result = runs
    names = sorted(p.name for p in cli.iterdir())
    assert names == sorted(p.name for p in result.folder.iterdir())
    different = []
    for name in set(names) - {"summary.json", "COMPLETE", MARK}:
        a, b = cli / name, result.folder / name
        if name.endswith(".h5"):
            same = _h5_datasets(a) == _h5_datasets(b) and len(_h5_datasets(a)) > 0
        else:
            same = a.read_bytes() == b.read_bytes()
        if not same:
            different.append(name)
    assert different == []
    a, b = (json.loads((folder / "summary.json").read_text()) for folder in (cli, result.folder))
    assert _without_clocks(a) == _without_clocks(b)
    assert a["timings_s"].keys() == b["timings_s"].keys()


def test_result_spectrum_tables_and_pyimpspec(runs):
    _, r = runs
    s = r.summary
    assert r.frequency[0] == pytest.approx(1e10) and np.all(np.diff(r.frequency) < 0)
    table = r.to_dataframe()
    np.testing.assert_array_equal(table["frequency_Hz"].to_numpy(), r.frequency)
    np.testing.assert_allclose(table["Z_imag_ohm_cm2"], r.impedance.imag * r.area_cm2, rtol=1e-9)
    data = r.to_pyimpspec()
    np.testing.assert_allclose(data.get_impedances(), r.impedance, rtol=0)
    assert data.get_label() == s.name == "demo"
    # typed attributes are summary.json's keys
    assert [a.apex_frequency_Hz for a in r.arcs] == [
        a["apex_frequency_Hz"] for a in json.loads((r.folder / "summary.json").read_text())["arcs"]
    ]
    assert s.fit.arc("cstr").R_ohm_cm2 == s.fit.by_label["R_cstr_ohm_cm2"]


def test_result_figures_and_fields(runs):
    _, r = runs
    from matplotlib.figure import Figure

    for plot in (r.plot_nyquist, r.plot_bode, r.plot_drt, r.plot_current_map):
        assert isinstance(plot(), Figure)
    assert len(r.plot_current_map().axes) == 2 * len(r.summary.current_map.titles)  # + colorbars
    apex = r.field_frequencies[1]
    mesh = r.fields(apex * 1.01)
    assert mesh.field_data["frequency_Hz"][0] == pytest.approx(apex)
    assert mesh.n_cells == r.summary.geometry.cells
    phi = mesh.point_data["phi_abs"]
    assert phi.min() >= 0 and phi.max() == pytest.approx(1.0, abs=1e-6)  # |φ| from CE to 1 V WE
    jn = r.interface_fields(0.0).cell_data["jn_rel"]
    dc = r.summary.focusing.at_frequencies[0]
    assert jn.max() == pytest.approx(dc.metrics.peak, rel=1e-12)


def test_open_run_reads_the_same_result(runs):
    _, r = runs
    assert eisfem.open_run(r.folder).summary == r.summary


def test_sweep_returns_the_table_and_cases_open_as_results(tmp_path):
    """eisfem.sweep runs each case as `eisfem run` does and returns results.csv as a DataFrame
    whose columns are the cases' summary keys."""
    import yaml

    base = eisfem.load_config(DEMO, COARSE | TINY).resolved_dict()
    sweep_file = tmp_path / "radius.yaml"
    grid = {"interface.radius": ["4 um"]}  # one case: each is a process start plus a run
    sweep_file.write_text(yaml.safe_dump({"base": base, "sweep": {"grid": grid}}))
    table = eisfem.sweep(sweep_file, tmp_path / "out", quiet=True)
    assert list(table["status"]) == ["complete"]
    assert table["interface.radius"].tolist() == pytest.approx([4e-6])
    for case, r_dc in zip(table["case"], table["resistance_dc_ohm"], strict=True):
        result = eisfem.open_run(tmp_path / "out" / "runs" / case)
        assert result.summary.resistance_dc_ohm == r_dc
        assert result.summary.geometry.contact_fraction == table["geometry.contact_fraction"][0]
        scalars = result.scalars()  # the same flattening as the table's columns
        assert set(scalars) <= set(table.columns)
        numbers = {k: v for k, v in scalars.items() if isinstance(v, float)}
        assert len(numbers) > 50
        assert numbers == {k: table[k][0] for k in numbers}
