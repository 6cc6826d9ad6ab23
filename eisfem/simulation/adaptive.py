"""Solve the spectrum of a run and say how accurate it is; with ``accuracy.target``, refine the
mesh until the estimate is below the target at every frequency.

Each pass sweeps the spectrum and, while the error exceeds the target somewhere, marks the cells
that hold half of the error at the worst frequencies (``solvers/adaptivity``) and bisects them on
the distributed mesh (``geometry/refine``; the curved geometry is kept). The error is the
p-enrichment estimate (``solvers/error_estimate``) on the first pass, on every pass whose
prediction reaches the target, and on the last pass: the number quoted is always an estimate of
the final mesh. The passes in between, whose predictions are still above the target, skip that
estimate (several times the cost of their sweep) and predict it from cheap recovery indicators
scaled by the last estimate (``solvers/recovery_indicator``), which also mark their cells. It
stops at the target, after ``max_iterations`` passes, at ``max_dofs``, before a pass whose
estimate would not fit in memory (the last solved pass is kept), or when the sweep's own error
alone exceeds the target (no refinement lowers it): the summary says which, honestly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from mpi4py import MPI

from eisfem.config import RunConfig
from eisfem.geometry.mesh import MeshBundle
from eisfem.geometry.refine import refine_bundle
from eisfem.simulation.console import RunConsole
from eisfem.simulation.model import build_system
from eisfem.simulation.size_guard import (
    GIB,
    available_memory,
    next_pass_need,
    process_memory,
    reset_peak,
)
from eisfem.solvers.adaptivity import (
    Anchor,
    anchor,
    dorfler_mark,
    predicted_indicators,
    refinement_indicators,
)
from eisfem.solvers.error_estimate import SpatialEstimate, estimate_spatial_error
from eisfem.solvers.spectrum import SpectrumResult, solve_spectrum
from eisfem.solvers.system import ImpedanceSystem


@dataclass
class Solved:
    """The spectrum on the final mesh and the accuracy section of the summary."""

    bundle: MeshBundle
    system: ImpedanceSystem
    result: SpectrumResult
    accuracy: dict[str, Any]  # with "per_frequency" when the spatial error is estimated


def _sweep(
    cfg: RunConfig, bundle: MeshBundle, freqs: np.ndarray, console: RunConsole, label: str
) -> tuple[ImpedanceSystem, SpectrumResult]:
    with console.stage(f"assembly{label}"):
        system = build_system(cfg, bundle)
    console.info(f"  {system.dofs} dofs (P{cfg.solver.degree})")
    with console.stage(f"{cfg.solver.sweep} sweep of {freqs.size} frequencies{label}"):
        result = solve_spectrum(
            system,
            freqs,
            cfg.solver.sweep,
            cfg.solver.sweep_tolerance,
            on_snapshot=lambda s: console.info(f"  solve at {s.frequency_Hz:.4g} Hz"),
        )
    return system, result


def _estimate(cfg: RunConfig, result: SpectrumResult, console: RunConsole, label: str):
    with console.stage(f"error estimate (P{cfg.solver.degree + 1} on the same mesh){label}"):
        estimate = estimate_spatial_error(result, cfg.solver.sweep_tolerance)
    console.info(f"  estimated relative error of Z: up to {estimate.combined.max():.1e}")
    return estimate


def _stop(cfg: RunConfig, error: float, sweep: float, dofs: int, iteration: int) -> str | None:
    """Why refinement ends after a pass with this (estimated or predicted) ``error`` and
    ``sweep`` error (None: refine again)."""
    acc = cfg.accuracy
    if error <= acc.target:
        return "target reached"
    if sweep >= acc.target:
        return "the sweep's own error exceeds the target: lower solver.sweep_tolerance"
    if iteration >= acc.max_iterations:
        return f"accuracy.max_iterations ({acc.max_iterations}) reached"
    if dofs >= acc.max_dofs:
        return f"accuracy.max_dofs ({acc.max_dofs}) reached"
    return None


def _factor_bytes(estimate: SpatialEstimate) -> float | None:
    """MUMPS's own count of the memory of the degree p + 1 factorization on this rank (the
    most of any rank), None without one (an iterative solver)."""
    enriched = estimate.enriched
    info = {} if enriched is None else enriched.system.operator.factor_info()
    megabytes = info.get("memory_used_MB_max_rank")
    return None if megabytes is None else megabytes * 1e6


@dataclass(frozen=True)
class _Memory:
    """What the memory rule scales from: the last pass that estimated (its dofs, its peak and
    MUMPS's count of its degree p + 1 factor, the largest thing a pass holds) and what the rank
    held before the first pass (``base``, not scaled)."""

    base: float
    dofs: int
    peak: float
    factor: float | None

    def stop(self, comm: MPI.Comm, next_dofs: int) -> str | None:
        """Why the next pass must not start (None: it fits): on any node, the ranks' predicted
        extra memory (:func:`next_pass_need` from the peak each rank reached in that pass)
        exceeds what the node has available. Stopping here keeps the last solved pass instead
        of being OOM-killed."""
        rss = process_memory()[1]
        node = comm.Split_type(MPI.COMM_TYPE_SHARED)
        need = node.allreduce(
            next_pass_need(self.peak, rss, self.dofs, next_dofs, self.base, self.factor)
        )
        available = available_memory()
        short = available is not None and need > available
        node.Free()
        if not comm.allreduce(short, op=MPI.LOR):
            return None
        return (
            f"memory: a pass with ~{next_dofs:.3g} dofs would need ~{need / GIB:.3g} GiB more "
            f"on a node; {0 if available is None else available / GIB:.3g} GiB available"
        )


def _quote(step: dict[str, Any], source: str, spatial: float, combined: float) -> None:
    """Record in a pass's ``step`` its error and where that came from (``error_from``)."""
    step |= {
        "error_from": source,
        "combined_error_estimate_max": combined,
        "spatial_error_estimate_max": spatial,
    }


def _estimated(
    cfg: RunConfig, result: SpectrumResult, console: RunConsole, label: str, step: dict[str, Any]
) -> SpatialEstimate:
    """The p-enrichment estimate of this pass, recorded in ``step`` (a prediction before it
    is kept in the record's ``error_from``)."""
    estimate = _estimate(cfg, result, console, label)
    source = "estimate" if "error_from" not in step else "prediction, then estimate"
    _quote(step, source, float(estimate.spatial.max()), float(estimate.combined.max()))
    return estimate


def _anchors(
    result: SpectrumResult, estimate: SpatialEstimate, target: float, base: float
) -> tuple[Anchor, _Memory]:
    """What the passes after an estimated one predict their error and memory from (its peak
    counts from the start of its pass: :func:`reset_peak`)."""
    memory = _Memory(base, result.system.dofs, process_memory()[0], _factor_bytes(estimate))
    return anchor(result, estimate, target), memory


def solve(
    cfg: RunConfig,
    bundle: MeshBundle,
    freqs: np.ndarray,
    console: RunConsole,
    on_pass: Callable[[dict[str, Any], SpectrumResult, SpatialEstimate | None], None] | None = None,
) -> Solved:
    """The spectrum of ``cfg`` on ``bundle`` (refined to ``accuracy.target`` when set);
    ``on_pass`` sees each pass's record, spectrum and estimate (None on a pass that predicted
    its error instead; a benchmark's error curve)."""
    acc = cfg.accuracy
    if acc.target is not None:
        return _refine_to_target(cfg, bundle, freqs, console, on_pass)
    system, result = _sweep(cfg, bundle, freqs, console, "")
    if not acc.estimate:
        accuracy = {
            "method": "none (accuracy.estimate is false): the discretisation error is unknown",
            "sweep_error_estimate_max": float(result.error_estimate().max()),
        }
        return Solved(bundle, system, result, accuracy)
    estimate = _estimate(cfg, result, console, "")
    accuracy = estimate.as_dict() | {"per_frequency": estimate.combined}
    return Solved(bundle, system, result, accuracy)


def _refine_to_target(
    cfg: RunConfig,
    bundle: MeshBundle,
    freqs: np.ndarray,
    console: RunConsole,
    on_pass: Callable[[dict[str, Any], SpectrumResult, SpatialEstimate | None], None] | None,
) -> Solved:
    """The adaptive loop of :func:`solve`, from ``bundle``."""
    acc = cfg.accuracy
    target = acc.target
    assert target is not None
    iterations: list[dict[str, Any]] = []
    base = process_memory()[1]
    last: Anchor | None = None  # the last estimate's, for the passes without one
    memory = _Memory(base, 0, 0.0, None)  # replaced on the first pass, which always estimates
    while True:
        t0 = time.perf_counter()
        reset_peak()
        label = f" (pass {len(iterations) + 1})"
        system, result = _sweep(cfg, bundle, freqs, console, label)
        sweep = float(result.error_estimate().max())
        step: dict[str, Any] = {
            "iteration": len(iterations) + 1,
            "dofs": system.dofs,
            "cells": int(bundle.info["cells"]),
        }
        iterations.append(step)
        estimate = eta = None
        if last is not None:
            with console.stage(f"recovery indicators{label}"):
                predicted, eta = predicted_indicators(result, last)
            _quote(step, "prediction", float(predicted.max()), float(predicted.max()) + sweep)
            console.info(
                f"  predicted relative error of Z: up to {step['combined_error_estimate_max']:.1e}"
            )
        if last is None or step["combined_error_estimate_max"] <= target:
            estimate = _estimated(cfg, result, console, label, step)
        stop = _stop(cfg, step["combined_error_estimate_max"], sweep, system.dofs, len(iterations))
        refined = None
        if stop is None:
            if estimate is not None:
                last, memory = _anchors(result, estimate, target, base)
            with console.stage("refinement"):
                if estimate is not None:
                    eta = refinement_indicators(result, estimate, target)
                marked = dorfler_mark(eta, system.comm)
                step["marked_cells"] = system.comm.allreduce(marked.size)
                refined = refine_bundle(bundle, marked)
            console.info(f"  {step['marked_cells']} cells marked: {refined.info['cells']} cells")
            next_dofs = round(system.dofs * refined.info["cells"] / bundle.info["cells"])
            stop = memory.stop(system.comm, next_dofs)
        if stop is not None and estimate is None:
            # the result quotes its own mesh's estimate; with it, a stop the limits did not
            # make (the memory rule, scaled from an older, smaller pass) is checked again
            estimate = _estimated(cfg, result, console, label, step)
            error = step["combined_error_estimate_max"]
            stop = _stop(cfg, error, sweep, system.dofs, len(iterations))
            if stop is None:
                last, memory = _anchors(result, estimate, target, base)
                stop = memory.stop(system.comm, next_dofs)
        step["seconds"] = time.perf_counter() - t0
        console.info(
            f"  pass {step['iteration']}: {step['dofs']} dofs, {step['cells']} cells, "
            f"{step['error_from']} {step['combined_error_estimate_max']:.1e}, "
            f"{step['seconds']:.1f} s"
        )
        if on_pass is not None:
            on_pass(step, result, estimate)
        if stop is not None:
            break
        bundle = refined
    reached = stop == "target reached"
    console.info(
        f"  accuracy.target {target:g}: {'reached' if reached else 'NOT reached'} after "
        f"{len(iterations)} passes ({stop})"
    )
    accuracy = estimate.as_dict() | {"per_frequency": estimate.combined}
    return Solved(
        bundle,
        system,
        result,
        accuracy
        | {
            "target": target,
            "target_reached": reached,
            "adaptive_stop": stop,
            "iterations": iterations,
        },
    )
