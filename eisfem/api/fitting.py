"""Fits from Python: ``eisfem fit`` is :func:`fit`.

The fit itself lives in :mod:`eisfem.inverse`; this is its public entry point, returning the
content of ``fit_result.json`` (parameters with 95 % intervals in SI units, misfit, evaluations,
identifiability).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def fit(
    fit_file: str | Path,
    out: str | Path,
    *,
    workers: int = 1,
    overrides: Sequence[str] = (),
    quiet: bool = False,
) -> dict[str, Any]:
    """Fit the free fields of ``fit_file`` to its measured spectrum; write the fit folder ``out``.

    ``overrides`` are ``--set`` texts (``"dotted.key=value"``) fixing fields of the base config.
    A fit folder that already holds an (interrupted) fit resumes from its history.
    """
    from eisfem.inverse.fitfile import load_fit  # scipy.optimize and the fit: only when fitting
    from eisfem.inverse.folder import run_fit
    from eisfem.simulation.console import RunConsole

    problem = load_fit(fit_file, list(overrides))
    return run_fit(problem, Path(out), workers, RunConsole(quiet=quiet)).record
