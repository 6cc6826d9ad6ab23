"""Every user error is one line on stderr with status 2, never a traceback.

The named cases come from the report (unwritable --out of compare and plot-sweep, degenerate
measured files, a random .npy mask, argparse's usage block); the property test throws random
commands, options and paths at the CLI, none of which may end any other way.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eisfem.cli.main import main
from eisfem.core import owned
from eisfem.postprocess.impedance import Spectrum, log_frequencies
from eisfem.simulation.rundir import MARKER

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
DEMO = CONFIGS / "demo.yaml"


def one_error_line(argv: list[str], capsys) -> str:
    assert main(argv) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("eisfem: error:"), err
    return err[0]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A complete (synthetic) run folder: a one-arc spectrum, 1e7..0.1 Hz."""
    folder = tmp_path / "run"
    folder.mkdir()
    f = log_frequencies(1e7, 0.1, 4)
    z = 10 + 100 / (1 + 1j * f / 1e3)
    Spectrum(f, z, 1e-8).write_csv(folder / "impedance.csv")
    (folder / "summary.json").write_text(json.dumps({"name": "s", "electrode_area_m2": 1e-8}))
    (folder / MARKER).write_text("")
    return folder


def measured(path: Path, rows: list[tuple[float, float, float]]) -> Path:
    path.write_text("f,re,im\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    return path


def test_compare_degenerate_measurements_are_one_line(run_dir, tmp_path, capsys):
    one = measured(tmp_path / "one.csv", [(1e3, 50.0, -20.0)])  # pyimpspec cannot parse it
    assert "cannot read a spectrum" in one_error_line(["compare", str(run_dir), str(one)], capsys)
    few = measured(tmp_path / "few.csv", [(1e3, 50.0, -20.0), (1e2, 60.0, -20.0)])
    assert "fewer than 3 points" in one_error_line(["compare", str(run_dir), str(few)], capsys)
    zero = measured(tmp_path / "zero.csv", [(10.0**k, 0.0, 0.0) for k in range(5)])
    assert "nonzero Z" in one_error_line(["compare", str(run_dir), str(zero)], capsys)


def test_compare_unwritable_or_foreign_out_is_one_line(run_dir, tmp_path, capsys):
    good = measured(tmp_path / "good.csv", [(10.0**k, 50.0 + k, -20.0) for k in range(5)])
    assert "/proc/x" in one_error_line(
        ["compare", str(run_dir), str(good), "--out", "/proc/x"], capsys
    )
    (tmp_path / "mine").mkdir()
    mine = str(tmp_path / "mine")
    line = one_error_line(["compare", str(run_dir), str(good), "--out", mine], capsys)
    assert "not made by eisfem" in line


def test_compare_of_same_stem_files_keeps_both_results(run_dir, tmp_path, capsys):
    rows = [(10.0**k, 50.0 + k, -20.0) for k in range(5)]
    csv, txt = measured(tmp_path / "good.csv", rows), measured(tmp_path / "good.txt", rows)
    assert main(["compare", str(run_dir), str(csv), "--quiet"]) == 0
    assert main(["compare", str(run_dir), str(txt), "--quiet"]) == 0
    folders = sorted(p.name for p in run_dir.glob("compare-*"))
    assert folders == ["compare-good.csv", "compare-good.txt"]
    assert all(owned.read_stamp(run_dir / f).kind == "compare" for f in folders)


def test_random_npy_mask_is_one_line_naming_the_field(tmp_path, capsys):
    cfg = tmp_path / "image.yaml"
    shutil.copy(CONFIGS / "image_contact_map.yaml", cfg)
    (tmp_path / "masks").mkdir()
    (tmp_path / "masks" / "random.npy").write_bytes(np.random.default_rng(0).bytes(500))
    line = one_error_line(
        ["validate", str(cfg), "--set", "interface.path=masks/random.npy"], capsys
    )
    assert "interface" in line and "not a numpy array file" in line and "pickle" not in line


def test_plot_sweep_out_is_the_file_written(tmp_path, capsys):
    from eisfem.cli.sweep_commands import plot_path

    assert plot_path(Path("plot_noext")) == Path("plot_noext.png")
    assert plot_path(Path("a.pdf")) == Path("a.pdf")
    with pytest.raises(Exception, match="written as"):
        plot_path(Path("a.xyz"))


def test_usage_errors_are_one_line(capsys):
    assert "invalid choice" in one_error_line(["frobnicate"], capsys)
    assert "required" in one_error_line(["run"], capsys)
    assert "unrecognized" in one_error_line(["validate", str(DEMO), "--bogus"], capsys)


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("eisfem ")


# --- property: random commands, options and paths --------------------------------------------

PATHS = st.sampled_from(
    [
        "/proc/foo",
        "/proc/x.png",
        "/nonexistent/dir/x",
        "missing.yaml",
        "FILE",  # an existing text file that is no config
        "FILE/sub",
        "DIR",  # an existing folder without the eisfem marker
        ".",
        "..",
        "...yaml",
        "",
        "bad\nname",
        "ünïcødé ✓.yaml",
    ]
) | st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12)
COMMANDS = st.sampled_from(
    ["run", "validate", "sweep", "collect", "plot-sweep", "slurm", "compare", "schema", "x"]
)
OPTIONS = st.lists(
    st.sampled_from(
        ["--out", "--set", "--x", "--y", "--time", "--partition", "--area", "--spectrum", "-q"]
    )
    | PATHS,
    max_size=5,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(command=COMMANDS, first=PATHS, rest=OPTIONS)
def test_any_bad_command_line_is_one_line_and_status_2(
    tmp_path, monkeypatch, capsys, command, first, rest
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "FILE").write_text("just: text\n")
    (tmp_path / "DIR").mkdir(exist_ok=True)
    argv = [command, first, *rest]
    if command == "run":
        argv.append("--out=/proc/never")  # a valid command line must still not start a run
    try:
        code = main(argv)
    except SystemExit as stop:  # --help
        code = stop.code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code != 0:
        lines = [line for line in captured.err.splitlines() if line.strip()]
        assert code == 2, captured.err
        assert lines and all(line.startswith(("eisfem: error:", "eisfem: ")) for line in lines[:1])
        assert len(lines) == 1 or all(": " in line for line in lines), lines
