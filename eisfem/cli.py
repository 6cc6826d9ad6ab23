"""Command line: ``eisfem run | validate | schema`` (+ sweep commands from eisfem.sweep_cli).

User mistakes (EisfemError) end with one line on stderr and exit status 2; under MPI only
rank 0 speaks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mpi4py import MPI

from eisfem.config import json_schema, load_config
from eisfem.console import Console
from eisfem.errors import EisfemError
from eisfem.sweep_cli import COMMANDS as SWEEP_COMMANDS
from eisfem.sweep_cli import add_commands as add_sweep_commands


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="eisfem",
        description="Impedance spectra of metal|solid-electrolyte interfaces by 3D FEM.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    override = argparse.ArgumentParser(add_help=False)
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
    r.add_argument("--out", type=Path, help="run folder (default: runs/<config name>)")
    r.add_argument("--quiet", action="store_true", help="print nothing but errors")
    v = sub.add_parser("validate", parents=[override], help="check a config without running")
    v.add_argument("config", type=Path)
    sub.add_parser("schema", help="print the JSON schema of run configs")
    add_sweep_commands(sub)
    return p


def _run(args: argparse.Namespace) -> int:
    from eisfem.pipeline import run  # imports DOLFINx: keep `validate` and `schema` light

    cfg = load_config(args.config, args.overrides)
    out = args.out or Path("runs") / args.config.stem
    console = Console(quiet=args.quiet)
    result = run(cfg, out, console)
    s = result.summary
    console.info(f"DC resistance: {s['resistance_dc_ohm_cm2']} Ω·cm²")
    for arc in s["arcs"]:
        console.info(
            f"arc apex at {arc['apex_frequency_Hz']:.3g} Hz, "
            f"−Im Z = {arc['apex_minus_imag_ohm_cm2']:.4g} Ω·cm²"
        )
    console.info(f"results in {result.folder.resolve()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    comm = MPI.COMM_WORLD
    try:
        if args.command == "schema":
            if comm.rank == 0:
                print(json.dumps(json_schema(), indent=2))
            return 0
        if args.command == "validate":
            cfg = load_config(args.config, args.overrides)
            if comm.rank == 0:
                print(
                    f"{args.config}: valid ({cfg.interface.kind} interface on a {cfg.cell.shape})"
                )
            return 0
        if args.command in SWEEP_COMMANDS:
            return SWEEP_COMMANDS[args.command](args)
        return _run(args)
    except EisfemError as exc:
        if comm.rank == 0:
            print(f"eisfem: error: {exc}", file=sys.stderr)
        return 2
