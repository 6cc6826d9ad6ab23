"""Sweep files: expansion, case ids, one-line errors, the table, trend plots, the sbatch script.

Nothing here runs the solver: case folders are written by hand where a test needs results.
The real runs (local, killed and resumed, through Slurm) are in test_sweep_run.py and
test_sweep_slurm.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import yaml
from test_config import base  # the same small pore-array config

from eisfem.batch.aggregate import collect, flatten
from eisfem.batch.slurm import SlurmOptions, array_ranges, write_script
from eisfem.batch.sweep import case_id, expand, load_sweep
from eisfem.batch.sweepdir import COMPLETE, FAILED, NOT_RUN, SweepDir
from eisfem.cli.main import main
from eisfem.config import load_config
from eisfem.core.errors import ConfigError
from eisfem.simulation.rundir import MARKER, atomic_run_dir
from tests.helpers import ROOT

EXAMPLE = ROOT / "configs" / "sweep-contact.yaml"


def sweep_of(block: dict, **extra) -> dict:
    return {"base": base(), "sweep": block, **extra}


def error_of(raw: dict) -> str:
    with pytest.raises(ConfigError) as info:
        expand(raw, Path("s.yaml"))
    return str(info.value)


# --- expansion ---------------------------------------------------------------------------------


def test_grid_zip_and_seeds_combine_as_a_product():
    sweep = expand(
        sweep_of(
            {
                "grid": {"interface.radius": ["10 um", "15 um"], "interface.height": ["1 um"]},
                "zip": {"cell.thickness": ["20 um", "40 um"], "solver.degree": [1, 2]},
                "seeds": {"field": "mesh.gap_layers", "count": 1, "start": 2},
            }
        ),
        Path("s.yaml"),
    )
    assert len(sweep.cases) == 2 * 1 * 2
    assert sweep.fields == [
        "interface.radius",
        "interface.height",
        "cell.thickness",
        "solver.degree",
        "mesh.gap_layers",
    ]
    pairs = {(round(c.config.cell.thickness * 1e6), c.config.solver.degree) for c in sweep.cases}
    assert pairs == {(20, 1), (40, 2)}
    radii = sorted({c.config.interface.radius for c in sweep.cases})
    assert radii == pytest.approx([10e-6, 15e-6])
    first = sweep.cases[0]
    assert first.params["interface.radius"] == "10 um"
    assert first.values()["interface.radius"] == pytest.approx(1e-5)


def test_seeds_give_several_cases_per_point():
    sweep = expand(
        sweep_of(
            {
                "grid": {"interface.radius": ["10 um", "15 um"]},
                # a plain integer field stands in for a geometry seed here
                "seeds": {"field": "mesh.gap_layers", "count": 3, "start": 1},
            }
        ),
        Path("s.yaml"),
    )
    assert [c.config.mesh.gap_layers for c in sweep.cases] == [1, 2, 3, 1, 2, 3]


def test_random_samples_are_reproducible_and_in_range():
    block = {
        "random": {
            "samples": 20,
            "seed": 7,
            "fields": {
                "interface.height": {"low": "10 nm", "high": "1 um", "scale": "log"},
                "mesh.gap_layers": {"low": 1, "high": 4},
            },
        }
    }
    a = expand(sweep_of(block), Path("s.yaml"))
    b = expand(sweep_of(block), Path("s.yaml"))
    assert [c.id for c in a.cases] == [c.id for c in b.cases]
    heights = np.array([c.config.interface.height for c in a.cases])
    assert np.all((heights >= 10e-9 * (1 - 1e-6)) & (heights <= 1e-6 * (1 + 1e-6)))
    # log-uniform over two decades: both decades are visited
    assert (heights < 1e-7).any() and (heights > 1e-7).any()
    assert {c.config.mesh.gap_layers for c in a.cases} <= {1, 2, 3, 4}
    block["random"]["seed"] = 8
    c = expand(sweep_of(block), Path("s.yaml"))
    assert [x.id for x in c.cases] != [x.id for x in a.cases]


def test_case_id_ignores_units_key_order_and_name():
    one = expand(sweep_of({"grid": {"interface.radius": ["20 um"]}}), Path("a.yaml"))
    raw = sweep_of({"grid": {"interface.radius": ["0.02 mm"]}}, set={"name": "other"})
    raw["base"] = dict(reversed(list(raw["base"].items())))
    two = expand(raw, Path("b.yaml"))
    assert one.cases[0].id == two.cases[0].id
    three = expand(sweep_of({"grid": {"interface.radius": ["21 um"]}}), Path("c.yaml"))
    assert three.cases[0].id != one.cases[0].id


def test_case_configs_reload_to_the_same_case(tmp_path):
    sweep = expand(sweep_of({"grid": {"interface.radius": ["10 um", "20 um"]}}), tmp_path / "s")
    folder = SweepDir(tmp_path / "out")
    folder.prepare(sweep)
    for case in sweep.cases:
        assert case_id(load_config(folder.config(case.id))) == case.id
    fields, entries = folder.read()
    assert fields == ["interface.radius"]
    assert [e.id for e in entries] == [c.id for c in sweep.cases]


def test_base_file_relative_to_the_sweep_file(tmp_path):
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base()))
    (tmp_path / "s.yaml").write_text(
        "base: base.yaml\nset: {solver.degree: 1}\n"
        "sweep:\n  grid: {interface.height: [1 um, 2 um]}\n"
    )
    sweep = load_sweep(tmp_path / "s.yaml")
    assert [c.config.solver.degree for c in sweep.cases] == [1, 1]
    assert len(load_sweep(EXAMPLE).cases) >= 12  # the example in configs/ expands and validates


# --- one clear line per problem ----------------------------------------------------------------


def one_line(msg: str) -> str:
    assert msg.count("\n") == 0, msg
    return msg


def test_malformed_yaml_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: x.yaml\nsweep: {grid: [1, 2\n")
    with pytest.raises(ConfigError) as info:
        load_sweep(bad)
    msg = one_line(str(info.value))
    assert msg.startswith(str(bad)) and "line" in msg


def test_unknown_sweep_key_is_named():
    msg = one_line(error_of(sweep_of({"gird": {"interface.radius": ["1 um"]}})))
    assert msg.startswith("s.yaml: sweep.gird: unknown field")


def test_unknown_swept_field_is_named():
    msg = one_line(error_of(sweep_of({"grid": {"interface.radiuss": ["1 um", "2 um"]}})))
    assert msg.startswith("s.yaml: interface.radiuss: unknown field")
    assert "all cases" in msg


def test_wrong_unit_in_a_grid_names_field_and_unit():
    msg = error_of(sweep_of({"grid": {"materials.electrolyte.conductivity": ["5 mS/cm", "5 mS"]}}))
    msg = one_line(msg)
    assert msg.startswith("s.yaml: materials.electrolyte.conductivity: '5 mS' has the wrong")
    assert "S/m" in msg and "1 of 2 cases" in msg


def test_out_of_range_value_names_field_and_range():
    msg = one_line(error_of(sweep_of({"grid": {"interface.radius": ["-2 um", "10 um"]}})))
    assert "interface.radius" in msg and "> 0 m" in msg and "interface.radius=-2 um" in msg


def test_geometry_conflict_in_some_cases_is_refused_before_running():
    msg = one_line(error_of(sweep_of({"grid": {"interface.radius": ["10 um", "24.9 um"]}})))
    assert "interface.spacing must be >= 2 × radius + min_distance" in msg


@pytest.mark.parametrize(
    "block, expected",
    [
        ({}, "sweep: no cases: give at least one of grid, zip, random, seeds"),
        ({"grid": {"interface.radius": []}}, "sweep.grid: interface.radius: empty list"),
        (
            {"zip": {"interface.radius": ["1 um"], "interface.height": ["1 um", "2 um"]}},
            "sweep.zip: zip lists must have the same length",
        ),
        (
            {"grid": {"solver.degree": [1]}, "seeds": {"field": "solver.degree", "count": 2}},
            "sweep: solver.degree swept more than once",
        ),
        (
            {"random": {"samples": 2, "fields": {"interface.height": {"low": "1 um", "high": 3}}}},
            "sweep: random.fields.interface.height: cannot read low/high",
        ),
        ({"grid": {"interface.radius": ["10 um", "0.01 mm"]}}, "resolve to the same config"),
        ({"grid": {"interface.radius.x": [1]}}, "interface.radius.x: 'radius' is not a section"),
    ],
)
def test_bad_sweep_blocks_are_one_line(block, expected):
    assert expected in one_line(error_of(sweep_of(block)))


def test_missing_sweep_block_and_missing_base_file(tmp_path):
    assert "sweep: Field required" in one_line(error_of({"base": base()}))
    (tmp_path / "s.yaml").write_text("base: nowhere.yaml\nsweep: {grid: {name: [a]}}\n")
    with pytest.raises(ConfigError) as info:
        load_sweep(tmp_path / "s.yaml")
    assert "nowhere.yaml: cannot read" in one_line(str(info.value))


def test_set_and_sweep_of_one_field_conflict():
    raw = sweep_of({"grid": {"solver.degree": [1, 2]}}, set={"solver.degree": 1})
    assert "set: solver.degree is also swept" in one_line(error_of(raw))


def test_cli_sweep_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "s.yaml"
    bad.write_text(yaml.safe_dump(sweep_of({"grid": {"cell.side": ["5 mS"]}})))
    assert main(["sweep", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = one_line(capsys.readouterr().err.strip())
    assert err.startswith(f"eisfem: error: {bad}: cell.side:")
    assert not (tmp_path / "o").exists()  # nothing was prepared for a bad sweep
    assert main(["collect", str(tmp_path / "nothing")]) == 2
    assert "not a sweep folder" in capsys.readouterr().err


# --- the table ---------------------------------------------------------------------------------


def test_flatten_names_nested_keys_and_list_items():
    flat = flatten(
        {
            "a": 1,
            "geometry": {"contact_fraction": 0.5, "sizes": {"bulk": 2.0}},
            "arcs": [{"apex_frequency_Hz": 10.0}, {"apex_frequency_Hz": 1.0}],
            "field_frequencies_Hz": [0.0, 5.0],
            "empty": [],
        }
    )
    assert flat == {
        "a": 1,
        "geometry.contact_fraction": 0.5,
        "geometry.sizes.bulk": 2.0,
        "arc0.apex_frequency_Hz": 10.0,
        "arc1.apex_frequency_Hz": 1.0,
        "field_frequencies_Hz0": 0.0,
        "field_frequencies_Hz1": 5.0,
    }


def fake_run(folder: SweepDir, case_id: str, summary: dict) -> None:
    """A complete run folder written the way the pipeline writes one."""
    with atomic_run_dir(folder.run(case_id)) as tmp:
        (tmp / "summary.json").write_text(json.dumps(summary))


@pytest.fixture
def three_case_folder(tmp_path) -> tuple[SweepDir, list[str]]:
    sweep = expand(
        sweep_of({"grid": {"interface.radius": ["10 um", "15 um", "20 um"]}}), tmp_path / "s"
    )
    folder = SweepDir(tmp_path / "out")
    folder.prepare(sweep)
    ids = [c.id for c in sweep.cases]
    fake_run(folder, ids[0], {"r": 1.5, "arcs": [{"f": 1.0}, {"f": 2.0}], "g": {"cf": 0.9}})
    folder.log(ids[1]).write_text("Traceback ...\neisfem: error: cell: boom\n")
    return folder, ids


def test_table_has_every_case_once_with_status_and_error(three_case_folder):
    folder, ids = three_case_folder
    table = collect(folder)
    rows = table.to_pylist()
    assert [r["case"] for r in rows] == ids
    assert [r["status"] for r in rows] == [COMPLETE, FAILED, NOT_RUN]
    assert rows[1]["error"] == "cell: boom" and rows[0]["error"] is None
    assert [r["interface.radius"] for r in rows] == pytest.approx([1e-5, 1.5e-5, 2e-5])
    assert rows[0]["arc1.f"] == 2.0 and rows[0]["g.cf"] == 0.9
    assert rows[1]["arc1.f"] is None and rows[2]["r"] is None
    assert pq.read_table(folder.root / "results.parquet").equals(table)
    csv = pa_csv.read_csv(folder.root / "results.csv")
    assert csv.column("case").to_pylist() == ids and csv.column("r")[0].as_py() == 1.5


def test_partial_folder_is_not_counted(three_case_folder):
    folder, ids = three_case_folder
    # a folder renamed into place whose marker was never written (killed in between)
    folder.run(ids[2]).mkdir()
    (folder.run(ids[2]) / "summary.json").write_text("{}")
    assert folder.state(ids[2])[0] == NOT_RUN
    (folder.run(ids[0]) / MARKER).unlink()
    assert collect(folder).column("status").to_pylist() == [NOT_RUN, FAILED, NOT_RUN]


def test_trend_plot_and_default_group(tmp_path):
    from eisfem.postprocess.trends import default_group, is_log_scale, trend_plot

    sweep = expand(
        sweep_of(
            {"grid": {"interface.radius": ["10 um", "15 um"], "interface.height": ["1 um", "2 um"]}}
        ),
        tmp_path / "s",
    )
    folder = SweepDir(tmp_path / "out")
    folder.prepare(sweep)
    for case in sweep.cases:
        r, h = case.config.interface.radius, case.config.interface.height
        fake_run(folder, case.id, {"geometry": {"cf": 1 - r * 1e4}, "R": r / h, "f": 1e3 / r})
    table = collect(folder)
    # contact fraction determines the radius, so the height is the one other swept field
    assert default_group(table, "geometry.cf", ["interface.radius", "interface.height"]) == (
        "interface.height"
    )
    assert default_group(table, "interface.radius", ["interface.radius"]) is None
    assert is_log_scale(np.array([1.0, 30.0])) and not is_log_scale(np.array([1.0, 3.0]))
    assert not is_log_scale(np.array([-1.0, 30.0]))
    path = trend_plot(table, "geometry.cf", ["R", "f"], tmp_path / "t.png", "interface.height")
    assert path.stat().st_size > 10_000
    by_text = trend_plot(table, "geometry.cf", ["R"], tmp_path / "s.png", group="case")
    assert by_text.stat().st_size > 10_000  # a text column groups too
    with pytest.raises(ConfigError, match=r"close: geometry\.cf"):
        trend_plot(table, "geometry.c", ["R"], tmp_path / "u.png")
    with pytest.raises(ConfigError, match="not numeric"):
        trend_plot(table, "case", ["R"], tmp_path / "u.png")
    assert main(["plot-sweep", str(folder.root), "--x", "geometry.cf", "--y", "R"]) == 0
    assert (folder.root / "trend-R.png").is_file()


# --- Slurm script ------------------------------------------------------------------------------


def test_array_ranges():
    assert array_ranges([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"
    assert array_ranges([3]) == "3"
    assert array_ranges([]) == ""


def test_sbatch_script_covers_only_incomplete_cases(three_case_folder, tmp_path):
    folder, ids = three_case_folder
    sweep = expand(
        sweep_of({"grid": {"interface.radius": ["10 um", "15 um", "20 um"]}}), tmp_path / "s"
    )
    options = SlurmOptions(partition="short", time="0:10:00", ntasks=2, throttle=2)
    script, indices = write_script(sweep, folder, options)
    assert indices == [1, 2]  # case 0 is complete
    text = script.read_text()
    for line in (
        "#SBATCH --array=1-2%2",
        "#SBATCH --ntasks=2",
        "#SBATCH --partition=short",
        "#SBATCH --time=0:10:00",
        "srun --mpi=pmi2 $EISFEM run",
    ):
        assert line in text
    assert all(i in text for i in ids)
    subprocess.run(["bash", "-n", str(script)], check=True)  # valid bash
    serial, _ = write_script(sweep, folder, SlurmOptions())
    assert "srun" not in serial.read_text().split("set -u", 1)[1]
    for i in ids[1:]:
        fake_run(folder, i, {"r": 1.0})
    assert write_script(sweep, folder, SlurmOptions())[1] == []


def test_a_swept_section_becomes_dotted_columns(tmp_path):
    media = [{"conductivity": "1 mS/cm", "permittivity": 10}, {"conductivity": "2 mS/cm"}]
    sweep = expand(sweep_of({"grid": {"materials.electrolyte": media}}), tmp_path / "s")
    folder = SweepDir(tmp_path / "out")
    folder.prepare(sweep)
    table = collect(folder)
    assert table.column("materials.electrolyte.conductivity").to_pylist() == [0.1, 0.2]
    assert table.column("materials.electrolyte.permittivity").to_pylist() == [10.0, 1.0]


def test_one_runner_per_folder_and_dry_run(tmp_path, capsys):
    import fcntl

    from eisfem.batch.runner import run_sweep
    from eisfem.core.errors import EisfemError
    from eisfem.core.owned import stamp

    raw = sweep_of({"grid": {"interface.radius": ["10 um", "15 um"]}})
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(raw))
    assert main(["sweep", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "o"), "--dry-run"]) == 0
    listed = capsys.readouterr().out
    assert "interface.radius=15 um" in listed and "2 cases" in listed
    assert not (tmp_path / "o").exists()
    folder = SweepDir(tmp_path / "o")
    folder.root.mkdir()
    stamp(folder.root, "sweep")  # a sweep folder eisfem made, held by another runner
    with open(folder.root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another runner holds the folder
        with pytest.raises(EisfemError, match="another eisfem sweep is running"):
            run_sweep(load_sweep(tmp_path / "s.yaml"), folder)
    assert not (folder.root / "sweep.json").exists()
