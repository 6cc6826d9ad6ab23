"""A run with kinetics and an applied DC current writes focusing metrics and current maps."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from eisfem.cli.main import main

CONFIG = {
    "name": "focus",
    "cell": {"shape": "patch", "side": "100 um", "thickness": "20 um"},
    "interface": {"kind": "pores", "radius": "40 um", "height": "20 nm", "spacing": "100 um"},
    "materials": {"electrolyte": {"preset": "NZSP"}},
    "kinetics": {"we": {"metal": "Na", "double_layer_capacitance": "10 uF/cm^2"}},
    "dc": {"current_density": "1 mA/cm^2"},
    "focusing": {"band_widths": ["1 um", "5 um"]},
    "solver": {"degree": 1},
    "frequencies": {"max": "10 GHz", "min": "10 Hz", "points_per_decade": 3},
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("focus")
    config = folder / "focus.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    assert main(["run", str(config), "--out", str(folder / "run"), "--quiet"]) == 0
    return folder / "run"


def test_summary_has_focusing_and_dc(run: Path):
    s = json.loads((run / "summary.json").read_text())
    assert s["temperature_K"] == pytest.approx(298.15)
    entries = s["focusing"]["at_frequencies"]
    assert [e["frequency_Hz"] for e in entries] == sorted(s["field_frequencies_Hz"])
    dc_entry = entries[0]
    assert dc_entry["contact_current_fraction"] == pytest.approx(1.0, abs=1e-9)  # pores block DC
    assert [b["width_m"] for b in dc_entry["bands"]] == pytest.approx([1e-6, 5e-6])
    dc = s["dc"]
    assert dc["current_A"] == pytest.approx(10.0 * 1e-8)
    primary, secondary = dc["primary"], dc["secondary"]
    assert secondary["kinetics"] == "butler_volmer"
    # R_ct = 1.3 Ω·cm² on half the area adds ≈ 2.6 Ω·cm² to the ohmic (primary) resistance
    assert secondary["resistance_ohm_cm2"] - primary["resistance_ohm_cm2"] == pytest.approx(
        2.6, rel=0.1
    )
    # kinetics spread the current: less of it at the rim, and a resolved peak
    p, q = primary["focusing"], secondary["focusing"]
    assert q["bands"][0]["current_fraction"] < p["bands"][0]["current_fraction"]
    assert q["peak"] < p["peak"]
    assert q["peak_mesh_sensitivity"] < 0.1 < p["peak_mesh_sensitivity"]


def arrays(xdmf: Path) -> set[str]:
    return {a.get("Name") for a in ET.parse(xdmf).getroot().iter("Attribute")}


def test_current_maps_are_written(run: Path):
    assert {"jn", "jn_rel", "phi_re", "j_abs"} <= arrays(run / "dc_secondary.xdmf")
    assert {"jn", "jn_rel"} <= arrays(run / "dc_primary.xdmf")
    assert arrays(run / "interface.xdmf") == {"jn_rel"}


PV_SCRIPT = """
import sys
from paraview.simple import Xdmf3ReaderT
reader = Xdmf3ReaderT(FileName=[sys.argv[1]])
for t in reader.TimestepValues:
    reader.UpdatePipeline(t)
    info = reader.CellData["jn_rel"].GetRange()
    print(t, info[1])
"""


@pytest.mark.skipif(shutil.which("pvpython") is None, reason="ParaView (pvpython) not installed")
def test_paraview_reads_the_interface_map(run: Path, tmp_path: Path):
    """ParaView 5.11's Xdmf3 reader sees every frequency and the peaks of summary.json."""
    script = tmp_path / "read.py"
    script.write_text(PV_SCRIPT)
    out = subprocess.run(
        ["pvpython", str(script), str(run / "interface.xdmf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    read = {float(t): float(peak) for t, peak in (line.split() for line in out.splitlines())}
    s = json.loads((run / "summary.json").read_text())
    expected = {e["frequency_Hz"]: e["peak"] for e in s["focusing"]["at_frequencies"]}
    assert sorted(read) == pytest.approx(sorted(expected))
    for (_, seen), (_, peak) in zip(sorted(read.items()), sorted(expected.items()), strict=True):
        assert seen == pytest.approx(peak, rel=1e-6)
