"""``eisfem fit``: from a measured spectrum back to the morphology, with honest uncertainty.

The fit minimises the relative misfit r = (Z_sim − Z_meas)/|Z_meas| (real and imaginary parts at
every measured frequency in the window: the weighting of ``eisfem compare``) over the free
fields by bounded trust-region least squares (:mod:`eisfem.inverse.optimize`), then checks the
Jacobian's 95 % ranges by evaluating the misfit along them (:mod:`eisfem.inverse.uncertainty`).

Mesh sizes are pinned for the whole fit to those eisfem resolves at the starting point: left
free, sizes derived from the features jump (they are binned to powers of √2) as the geometry
changes, and the misfit jumps with them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from eisfem.batch.sweep import case_id
from eisfem.config import RunConfig
from eisfem.core.errors import ConfigError, EisfemError
from eisfem.inverse.evaluate import Evaluator, pinned_mesh_sizes
from eisfem.inverse.fitfile import FitProblem
from eisfem.inverse.history import Evaluation, History
from eisfem.inverse.optimize import Optimum, minimise
from eisfem.inverse.uncertainty import assess
from eisfem.simulation.console import RunConsole

METHOD = (
    "scipy.optimize.least_squares (trf) in ln p or p scaled to [0, 1] between the bounds; "
    "95 % ranges t·s/σ_k along the singular directions of the central-difference Jacobian "
    "(s² = RSS/(m − n), Student t), each checked by evaluating the misfit along it "
    "(one-parameter likelihood ratio, first-order profiled) and widened or narrowed to match"
)


def evaluation_key(cfg: RunConfig, frequency: np.ndarray) -> str:
    """Hash of the evaluated physics: resolved config without its name, and the frequencies."""
    text = json.dumps([case_id(cfg), [float(f"{f:.12g}") for f in frequency]])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Misfits:
    """Residual vectors for batches of parameter points, through the history's cache."""

    def __init__(
        self,
        problem: FitProblem,
        history: History,
        evaluator: Evaluator,
        z_measured: np.ndarray,
        console: RunConsole,
    ):
        self.problem = problem
        self.history = history
        self.evaluator = evaluator
        self.z = z_measured
        self.console = console
        self.known = history.load()
        self.used: dict[str, Evaluation] = {}
        self.reused = 0

    def residual(self, z: np.ndarray) -> np.ndarray:
        d = (z - self.z) / np.abs(self.z)
        return np.concatenate([d.real, d.imag])

    def misfit(self, z: np.ndarray) -> float:
        """RMS of |Z_sim − Z_meas|/|Z_meas| (as ``eisfem compare`` reports it)."""
        return float(np.sqrt(np.mean(np.abs((z - self.z) / self.z) ** 2)))

    def __call__(self, points: list[np.ndarray]) -> list[np.ndarray | None]:
        keys, todo = [], {}
        for values in points:
            try:
                cfg = self.problem.config(values)
            except ConfigError as exc:  # inside the bounds, yet refused (e.g. overlapping pores)
                key = "invalid-" + hashlib.sha256(repr(list(values)).encode()).hexdigest()[:8]
                self._record(Evaluation(key, tuple(map(float, values)), None, str(exc)))
                keys.append(key)
                continue
            key = evaluation_key(cfg, self.history.frequency)
            keys.append(key)
            if key not in self.known:
                todo[key] = (tuple(map(float, values)), cfg.resolved_dict())
            elif key not in self.used:
                self.reused += 1
                self.used[key] = self.known[key]
        results = self.evaluator.run([resolved for _, resolved in todo.values()])
        for (key, (values, _)), out in zip(todo.items(), results, strict=True):
            self._record(
                Evaluation(
                    key,
                    values,
                    out.get("impedance"),
                    out.get("error", ""),
                    out.get("dofs", 0),
                    out.get("seconds", 0.0),
                )
            )
        return [self.residual(self.known[k].impedance) if self.known[k].ok else None for k in keys]

    def _record(self, ev: Evaluation) -> None:
        misfit = self.misfit(ev.impedance) if ev.ok else None
        self.history.append(ev, misfit)
        self.known[ev.key] = self.used[ev.key] = ev
        shown = ", ".join(
            f"{f}={v:.5g}" for f, v in zip(self.problem.fields, ev.values, strict=True)
        )
        what = f"misfit {100 * misfit:.4g} %" if misfit is not None else f"failed: {ev.error}"
        self.console.info(f"  evaluation {self.history.count}: {shown} → {what}")


@dataclass
class Estimate:
    """The fitted parameters with their intervals and what the data determine."""

    problem: FitProblem  # with the pinned mesh sizes
    optimum: Optimum
    parameters: dict[str, dict[str, Any]]
    identifiability: dict[str, Any]
    misfit: float
    evaluations: dict[str, int] = field(default_factory=dict)

    @property
    def values(self) -> np.ndarray:
        return self.optimum.values


def pin_mesh(problem: FitProblem) -> FitProblem:
    """``problem`` with the mesh sizes of its starting point held for every evaluation."""
    return problem.with_mesh(pinned_mesh_sizes(problem.config(problem.start)))


def estimate(
    problem: FitProblem,
    frequency: np.ndarray,
    z_measured: np.ndarray,
    folder: Path,
    workers: int = 1,
    console: RunConsole | None = None,
) -> Estimate:
    """Fit ``z_measured`` (Ω·cm² at ``frequency``), recording in ``folder``'s history.

    ``problem`` should have pinned mesh sizes (:func:`pin_mesh`).
    """
    console = console or RunConsole(quiet=True)
    history = History(folder, problem.fields, frequency)
    with Evaluator(frequency, workers) as evaluator:
        misfits = Misfits(problem, history, evaluator, z_measured, console)
        n = len(problem.coords)
        with console.stage(f"fit of {n} fields to {frequency.size} frequencies"):
            optimum = minimise(
                problem.coords, problem.start, misfits, 2 * frequency.size, problem.max_evaluations
            )
        best = misfits.known.get(evaluation_key(problem.config(optimum.values), frequency))
        if best is None or not best.ok:
            raise EisfemError(
                f"the fit found no point it could evaluate (last error: "
                f"{best.error if best else 'none'}); see {history.path}"
            )
        with console.stage("95 % ranges along the singular directions"):
            params, ident = assess(
                problem.coords, optimum.values, optimum.jacobian_fit, optimum.residuals, misfits
            )
    used = misfits.used.values()
    return Estimate(
        problem,
        optimum,
        {c.name: p for c, p in zip(problem.coords, params, strict=True)},
        ident,
        misfits.misfit(best.impedance),
        {
            "total": len(misfits.used),
            "failed": sum(not e.ok for e in used),
            "from_history": misfits.reused,
        },
    )
