"""Bounded YAML (alias bombs, deep nesting, cycles, size) and Slurm options that cannot inject."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from eisfem.batch.slurm import SlurmOptions
from eisfem.cli.main import main
from eisfem.core import safe_yaml
from eisfem.core.errors import ConfigError

DEMO = Path(__file__).resolve().parents[2] / "configs" / "demo.yaml"
BIN = Path(sys.executable).parent


def alias_bomb(levels: int = 9) -> str:
    """Each level lists the previous one nine times: 9**levels leaves from a few hundred bytes."""
    names = "abcdefghijklmnop"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in itertools.pairwise(names[:levels]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_by_the_cli(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb())
    assert len(bomb.read_bytes()) < 400
    t0 = time.perf_counter()
    # the timeout only stops a regression from hanging the suite (the old code ran for minutes)
    done = subprocess.run(
        [BIN / "eisfem", "validate", bomb], capture_output=True, text=True, timeout=120
    )
    print(f"alias bomb refused in {time.perf_counter() - t0:.2f} s (process start included)")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"eisfem: error: {bomb}: expands to more than {safe_yaml.MAX_NODES} values (nested aliases)"
    ]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("a: " + "[" * 1000 + "]" * 1000, "nested deeper"),
        ("a: &a [*a]", "contains it"),
        ("a: &a 1\n" + "".join(f"b{k}: *a\n" for k in range(safe_yaml.MAX_ALIASES + 1)), "aliases"),
        ("a: '" + "x" * safe_yaml.MAX_BYTES + "'", "larger than"),
    ],
)
def test_unbounded_documents_are_refused(text, reason):
    with pytest.raises(yaml.YAMLError, match=reason):
        safe_yaml.load_text(text)


def test_small_alias_use_still_loads():
    assert safe_yaml.load_text("a: &x 2\nb: *x\n") == {"a": 2, "b": 2}


def test_exponent_without_a_dot_is_a_number(tmp_path, capsys):
    assert safe_yaml.load_text("x: 1e-4\ny: -2E+3\nz: 1e") == {"x": 1e-4, "y": -2e3, "z": "1e"}
    assert main(["validate", str(DEMO), "--set", "cell.side=1e-4"]) == 0
    assert "valid" in capsys.readouterr().out


def test_sweep_file_given_to_run_says_use_sweep(capsys):
    sweep = DEMO.parent / "sweep-contact.yaml"
    assert main(["validate", str(sweep)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"eisfem: error: {sweep} is a sweep file (it has a sweep: block): use `eisfem sweep`"
    ]


@pytest.mark.parametrize(
    "options, field",
    [
        ({"partition": "x\ntouch f"}, "--partition"),
        ({"partition": "a b"}, "--partition"),
        ({"time": "abc"}, "--time"),
        ({"time": "1:2:3:4"}, "--time"),
        ({"time": "2:00:00\n#SBATCH --x"}, "--time"),
        ({"mpi": "pmi2; rm -rf x"}, "--mpi"),
        ({"extra": ["--mem=8G\ntouch f"]}, "--sbatch-arg"),
        ({"extra": ["--comment=a b"]}, "--sbatch-arg"),
    ],
)
def test_slurm_injection_is_refused(options, field):
    with pytest.raises(ConfigError, match=field):
        SlurmOptions(**options)


@pytest.mark.parametrize("time_limit", ["30", "30:00", "2:00:00", "1-0", "1-12:00", "1-00:00:00"])
def test_slurm_time_formats_are_accepted(time_limit):
    SlurmOptions(partition="gpu,cpu", time=time_limit, extra=["--mem=8G", "--qos=normal"])


def test_slurm_cli_refuses_injection_in_one_line(tmp_path, capsys):
    sweep = DEMO.parent / "sweep-contact.yaml"
    out = tmp_path / "s"
    argv = ["slurm", str(sweep), "--out", str(out), "--partition", "x\ntouch f"]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "--partition 'x\\ntouch f'" in err[0]
    assert not (out / "sweep.sbatch").exists()
