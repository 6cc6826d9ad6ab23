"""Command line: ``eisfem run | validate | schema | compare`` (+ sweep commands from
eisfem.cli.sweep_commands, ``fit`` from eisfem.cli.fit_command).

User mistakes end with one line on stderr and exit status 2, Ctrl-C with status 130, and an
exception on any MPI rank ends every rank (see :mod:`eisfem.cli.guard`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import NoReturn

from mpi4py import MPI

from eisfem.api import runs as api
from eisfem.cli.fit_command import add_command as add_fit_command
from eisfem.cli.fit_command import run_fit_command
from eisfem.cli.guard import guarded
from eisfem.cli.sweep_commands import COMMANDS as SWEEP_COMMANDS
from eisfem.cli.sweep_commands import add_commands as add_sweep_commands
from eisfem.config import json_schema
from eisfem.config.units import to_si
from eisfem.core.errors import EisfemError
from eisfem.core.version import eisfem_version
from eisfem.simulation.console import RunConsole
from eisfem.simulation.result import summary_schema
from eisfem.simulation.size_guard import OVERRIDE, describe, estimate


class UsageError(EisfemError):
    """Arguments argparse rejects: one line (argparse would print the usage block too)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="eisfem",
        description="Impedance spectra of metal|solid-electrolyte interfaces by 3D FEM.",
    )
    p.add_argument("--version", action="version", version=f"eisfem {eisfem_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    override = _Parser(add_help=False)
    override.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config field, e.g. --set interface.radius='5 um' (repeatable)",
    )
    r = sub.add_parser("run", parents=[override], help="run a config and write its run folder")
    r.add_argument("config", type=Path)
    r.add_argument(
        "--out", type=Path, help="run folder (default: runs/<config file name without .yaml>)"
    )
    r.add_argument("--quiet", action="store_true", help="print nothing but errors")
    r.add_argument(
        OVERRIDE,
        dest="size_check",
        action="store_false",
        help="run even if the estimated memory exceeds the memory available",
    )
    v = sub.add_parser(
        "validate",
        parents=[override],
        help="check a config without running; print its estimated cells, dofs and memory",
    )
    v.add_argument("config", type=Path)
    sc = sub.add_parser("schema", help="print the JSON schema of run configs (or of summary.json)")
    sc.add_argument(
        "--summary", action="store_true", help="the schema of a run's summary.json instead"
    )
    add_sweep_commands(sub)
    add_fit_command(sub, override)
    c = sub.add_parser(
        "compare",
        help="overlay a measured spectrum on a run's: Nyquist, Bode, DRT and a misfit number",
    )
    c.add_argument("run_dir", type=Path, help="a complete run folder")
    c.add_argument(
        "measured",
        type=Path,
        help="measured spectrum (.csv .mpt .dta .z; other pyimpspec formats untested)",
    )
    c.add_argument(
        "--area",
        help="electrode area of the measurement, with units (e.g. '0.785 cm^2'); "
        "without it the file's values are taken as area-specific (Ω·cm²)",
    )
    c.add_argument(
        "--spectrum", type=int, default=0, help="which spectrum of a multi-sweep file (0 = first)"
    )
    c.add_argument("--out", type=Path, help="output folder (default: RUN_DIR/compare-<file name>)")
    c.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p


def measured_area(text: str | None) -> float | None:
    """The --area option in m²; a bare number is refused (cm² or m² would be a guess)."""
    if text is None:
        return None
    try:
        float(text)
    except ValueError:
        pass
    else:
        raise EisfemError(f"--area needs a unit, e.g. '{text} cm^2' (got {text!r})")
    try:
        area = to_si(text, "m^2")
    except ValueError as exc:
        raise EisfemError(f"--area: {exc}") from None
    if not area > 0:
        raise EisfemError(f"--area must be > 0 (got {text!r})")
    return area


def _compare(args: argparse.Namespace) -> int:
    from eisfem.simulation.compare import compare

    area = measured_area(args.area)
    console = RunConsole(quiet=args.quiet)
    result, out = compare(args.run_dir, args.measured, args.out, area, args.spectrum)
    console.info(result.report())
    console.info(f"plots and misfit.json in {out.resolve()}")
    return 0


def _run(args: argparse.Namespace) -> int:
    """``eisfem run``: the public API's load_config and run, then a few lines of results."""
    cfg = api.load_config(args.config, args.overrides)
    out = args.out or api.default_folder(args.config, cfg)
    result = api.run(cfg, out, quiet=args.quiet, keep=[args.config], size_check=args.size_check)
    console = RunConsole(quiet=args.quiet)
    s = result.summary
    console.info(f"DC resistance: {s.resistance_dc_ohm_cm2} Ω·cm²")
    for arc in s.arcs:
        console.info(
            f"arc apex at {arc.apex_frequency_Hz:.3g} Hz, "
            f"−Im Z = {arc.apex_minus_imag_ohm_cm2:.4g} Ω·cm²"
        )
    console.info(f"results in {result.folder.resolve()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return guarded(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    comm = MPI.COMM_WORLD
    if args.command == "schema":
        if comm.rank == 0:
            schema = summary_schema() if args.summary else json_schema()
            print(json.dumps(schema, indent=2))
        return 0
    if args.command == "validate":
        cfg = api.load_config(args.config, args.overrides)
        if comm.rank == 0:
            print(f"{args.config}: valid ({cfg.interface.kind} interface on a {cfg.cell.shape})")
            print(describe(estimate(cfg)))
        return 0
    if args.command in SWEEP_COMMANDS:
        return SWEEP_COMMANDS[args.command](args)
    if args.command == "compare":
        return _compare(args)
    if args.command == "fit":
        return run_fit_command(args)
    return _run(args)
