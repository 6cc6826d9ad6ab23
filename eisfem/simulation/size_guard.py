"""The size of a run before it starts: estimated cells, dofs and peak memory, and a refusal of
runs that would not fit in this machine's memory.

The cell count comes from the size field integrated over the built (not meshed) geometry
(:mod:`eisfem.geometry.cell_count`); dofs and memory from constants measured on the 12 example
configs in ``configs/`` (default meshes, P2, direct solver, one process; 2026-12-02, 2-core
24 GiB machine, peak resident memory from ``/usr/bin/time -v eisfem run ...``):

- dofs per cell: P2 1.53–1.75 measured; 1.7 used, which centres the dofs estimate (the cell
  estimate's errors included) between the extremes: every example within a factor 1.47. P2
  dofs = vertices + edges ≈ 2·vertices + cells, so P1 (the vertices) ≈ (1.7 − 1)/2 = 0.35.
- peak memory = 730 MB + 19.6 kB per dof (the fit with the smallest largest ratio over
  6 058 to 245 536 dofs; from the estimated dofs every example is within a factor 1.23 of
  its measured peak). The base
  is the Python, DOLFINx, gmsh and VTK footprint; the per-dof part is mostly the MUMPS factor,
  whose fill grows a little faster than the dofs, so far beyond the calibrated range this
  underestimates. P1 and
  the iterative solver need less per dof: the estimate is then on the safe side.

``bench/size_estimate.py`` re-measures the examples and prints estimate/measured ratios.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from eisfem.config import RunConfig
from eisfem.core.errors import EisfemError

DOFS_PER_CELL = {1: 0.35, 2: 1.7}
BASE_BYTES = 730e6
BYTES_PER_DOF = 19.6e3
OVERRIDE = "--no-size-check"
GIB = 2**30


class TooLargeError(EisfemError):
    """The estimated memory of a run exceeds the memory available."""


@dataclass(frozen=True)
class SizeEstimate:
    cells: int
    dofs: int
    peak_bytes: float

    def line(self) -> str:
        return (
            f"estimated size: {self.cells:.3g} cells, {self.dofs:.3g} dofs, peak memory "
            f"{self.peak_bytes / GIB:.3g} GiB (each within about a factor 1.5)"
        )


def estimate(cfg: RunConfig) -> SizeEstimate | None:
    """Build ``cfg``'s geometry in a private gmsh session (no mesh) and estimate its size.

    None for geometries the size-field estimate does not cover: image stacks and the user's
    own meshes (not checked, not calibrated).
    """
    from eisfem.config.own_geometry import MeshCell, VolumeImage
    from eisfem.geometry.cell_count import expected_cells
    from eisfem.simulation.model import geometry_spec

    if isinstance(cfg.cell, MeshCell) or isinstance(cfg.interface, VolumeImage):
        return None
    cells = expected_cells(geometry_spec(cfg))
    dofs = cells * DOFS_PER_CELL.get(cfg.solver.degree, DOFS_PER_CELL[2])
    return SizeEstimate(round(cells), round(dofs), BASE_BYTES + BYTES_PER_DOF * dofs)


def available_memory() -> float | None:
    """Bytes this process may still use: MemAvailable, capped by a cgroup (container) limit."""
    try:
        meminfo = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    found = re.search(r"^MemAvailable:\s+(\d+) kB", meminfo, re.MULTILINE)
    free = int(found.group(1)) * 1024 if found else None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text())
        if limit != "max" and free is not None:
            free = min(free, int(limit) - used)
    except (OSError, ValueError):
        pass
    return free


def describe(est: SizeEstimate | None) -> str:
    """The line `eisfem validate` and `eisfem run` print."""
    if est is None:
        return "estimated size: not available for image stacks and imported meshes"
    return est.line()


def check_fits(est: SizeEstimate | None, available: float | None) -> None:
    """Refuse a run whose estimated peak memory exceeds ``available`` bytes."""
    if est is not None and available is not None and est.peak_bytes > available:
        raise TooLargeError(
            f"this run would need about {est.peak_bytes / GIB:.3g} GiB "
            f"({est.cells:.3g} cells, {est.dofs:.3g} dofs) but {available / GIB:.3g} GiB are "
            f"available; lower mesh.refine, or pass {OVERRIDE} to run anyway"
        )


# The MUMPS factor of a 3D finite-element matrix grows as n^(4/3) under nested dissection
# (George, SIAM J. Numer. Anal. 10 (1973) 345): a bound on the growth of the factor with the
# dofs, so the prediction below errs on the safe side. Everything else a pass holds (matrices,
# vectors, the reduced basis) grows in proportion to the dofs.
FILL_EXPONENT = 4 / 3


def next_pass_need(
    peak_bytes: float,
    rss_bytes: float,
    dofs: int,
    next_dofs: int,
    base_bytes: float = 0.0,
    factor_bytes: float | None = None,
) -> float:
    """Bytes beyond ``rss_bytes`` (held now) that a pass on ``next_dofs`` dofs will need, from
    the ``peak_bytes`` measured in a pass on ``dofs`` whose sparse factor took
    ``factor_bytes`` (None: all of it, the safe side). ``base_bytes`` (the interpreter, the
    libraries, the coarse mesh) does not grow with the mesh. Scaling all of a small first
    pass's memory by the factor's power forbade any mesh ten times larger: at 14k dofs the
    degree p + 1 matrices, not the factor, hold most of it."""
    ratio = next_dofs / dofs
    working = peak_bytes - base_bytes
    factor = working if factor_bytes is None else min(factor_bytes, working)
    grown = factor * ratio**FILL_EXPONENT + (working - factor) * ratio
    return max(grown - (rss_bytes - base_bytes), 0.0)


def reset_peak() -> None:
    """Start the peak of :func:`process_memory` afresh from what the process holds now (Linux's
    ``clear_refs``; elsewhere the peak stays the lifetime one, the safe side). The adaptive
    loop scales one pass's peak, not gmsh's meshing before it."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def process_memory() -> tuple[float, float]:
    """(peak since :func:`reset_peak` or the start, current) resident bytes of this process:
    VmHWM and VmRSS of /proc/self/status. Not ru_maxrss: Linux carries a parent's peak through
    fork and exec into it (and clear_refs does not reset that part), so a run started by a
    large process, such as a test runner, scaled the runner's memory as its own."""
    status = Path("/proc/self/status").read_text()
    kilobytes = {
        key: float(re.search(rf"^{key}:\s+(\d+) kB", status, re.MULTILINE).group(1))
        for key in ("VmHWM", "VmRSS")
    }
    return kilobytes["VmHWM"] * 1024.0, kilobytes["VmRSS"] * 1024.0
