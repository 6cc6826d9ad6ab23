"""Command line for ``eisfem fit FIT.yaml --out DIR [--workers N] [--set ...]``.

Registered by :mod:`eisfem.cli.main`; the handler imports the fit (and DOLFINx) only when it
runs, so the other commands do not pay for it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eisfem.cli.sweep_commands import _positive
from eisfem.simulation.console import RunConsole


def add_command(sub: argparse._SubParsersAction, override: argparse.ArgumentParser) -> None:
    f = sub.add_parser(
        "fit",
        parents=[override],
        help="fit free config fields to a measured spectrum, with 95 %% intervals",
    )
    f.add_argument("fit", type=Path, help="fit file (base config, measured spectrum, free fields)")
    f.add_argument("--out", type=Path, required=True, help="fit folder (resumes if it is one)")
    f.add_argument(
        "--workers", type=_positive, default=1, help="evaluations run at once (default 1)"
    )
    f.add_argument("--quiet", action="store_true", help="print nothing but errors")


def run_fit_command(args: argparse.Namespace) -> int:
    from eisfem.api.fitting import fit

    console = RunConsole(quiet=args.quiet)
    r = fit(args.fit, args.out, workers=args.workers, overrides=args.overrides, quiet=args.quiet)
    for name, p in r["parameters"].items():
        lo, hi = p["ci95"]
        console.info(f"{name} = {p['value']:.4g} (95 %: {lo:.4g} to {hi:.4g}, SI)")
    console.info(f"misfit {100 * r['misfit']:.3g} % after {r['evaluations']} evaluations")
    console.info(f"identifiability: {r['identifiability']['summary']}")
    console.info(f"results in {args.out.resolve()}")
    return 0
