"""Pictures of where the current goes: interface current maps and a potential cross-section.

* Current map: |j_n| on each facet of the working-electrode interface (contact, pore floors,
  gap footprints), seen from the metal side, rendered offscreen with pyvista (VTK picks EGL or
  OSMesa when there is no X display; ``scripts/system-deps.sh`` installs Mesa's EGL). Values
  are per volt of applied amplitude, in A/cm². The colour scale is capped at the 99.5th
  area-weighted percentile, because at DC |j_n| is singular at contact edges (≈ r^-1/2) and the
  peak grows with mesh refinement; the peak is printed in the title with that caveat.
* Potential cross-section: |φ| sampled on a vertical plane through the cell centre with
  DOLFINx point evaluation (collective, works under MPI), drawn with matplotlib.

Both are drawn on rank 0 from data gathered there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from dolfinx import geometry
from matplotlib.figure import Figure
from mpi4py import MPI

from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.interface_current import InterfaceCurrent
from eisfem.solvers.system import Solution

M2_PER_CM2 = 1e-4
UM = 1e-6
CAP_PERCENTILE = 99.5


@dataclass
class MapPanel:
    title: str  # e.g. "DC" or "constriction arc apex"
    frequency: float  # Hz, 0 = DC
    current: InterfaceCurrent  # gathered: all facets of the interface

    @property
    def short(self) -> str:
        return "DC" if self.frequency == 0 else f"{self.frequency:.3g} Hz"

    @property
    def heading(self) -> str:
        return self.title if self.frequency == 0 else f"{self.title}, {self.short}"


def gather_current(ic: InterfaceCurrent, comm: MPI.Comm) -> InterfaceCurrent | None:
    """All facets of ``ic`` on rank 0 (None elsewhere); collective."""
    parts = comm.gather(ic, root=0)
    if comm.rank != 0:
        return None
    return InterfaceCurrent(
        *(
            np.concatenate([getattr(p, f) for p in parts])
            for f in InterfaceCurrent.__dataclass_fields__
        )
    )


def weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q``-th percentile of ``values`` when each value stands for ``weights`` of area."""
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, q / 100 * cum[-1])])


def _offscreen() -> None:
    """Without an X display, let VTK use EGL directly instead of failing on X first."""
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")


def current_maps(panels: Sequence[MapPanel], path: Path) -> None:
    """Render |j_n| of each panel side by side, viewed from the metal (−z), into ``path``."""
    _offscreen()
    import pyvista as pv  # heavy import, and only rank 0 renders

    size = 560
    plotter = pv.Plotter(
        off_screen=True, shape=(1, len(panels)), window_size=(size * len(panels), size + 60)
    )
    plotter.set_background("white")
    for k, panel in enumerate(panels):
        ic = panel.current
        n = len(ic.area)
        points = ic.vertices.reshape(-1, 3) / UM
        faces = np.column_stack([np.full(n, 3), np.arange(3 * n).reshape(n, 3)]).ravel()
        surface = pv.PolyData(points, faces)
        jn = np.abs(ic.jn) * M2_PER_CM2
        # one scalar bar per panel: pyvista shares bars between meshes with the same title
        # (and VTK's bar font drops "|": the title spells the magnitude out)
        name = f"normal current density, {panel.short} (A/cm² per V)"
        surface.cell_data[name] = jn
        cap = weighted_percentile(jn, ic.area, CAP_PERCENTILE)
        mean = float(np.sum(jn * ic.area) / ic.area.sum())
        size_um = np.ptp(points[:, :2], axis=0)
        plotter.subplot(0, k)
        plotter.add_mesh(
            surface,
            scalars=name,
            cmap="inferno",
            clim=(0.0, cap if cap > 0 else 1.0),
            above_color="cyan",
            scalar_bar_args={
                "title": name,
                "color": "black",
                "vertical": False,
                "fmt": "%.3g",
                "title_font_size": 14,
                "label_font_size": 13,
                "position_x": 0.15,
                "position_y": 0.02,
                "width": 0.7,
            },
        )
        plotter.add_text(
            f"{panel.heading}\n{size_um[0]:.3g} µm × {size_um[1]:.3g} µm, seen from the metal"
            f"\nmean {mean:.3g}, peak {jn.max():.3g} A/cm² per V"
            f"\n(peak: mesh-dependent; cyan: above {CAP_PERCENTILE:g}th percentile)",
            font_size=9,
            color="black",
        )
        plotter.view_xy()
        plotter.enable_parallel_projection()
        plotter.camera.zoom(1.0)
    plotter.screenshot(str(path))
    plotter.close()


PANELS_FILE = "current_map.npz"


def save_panels(panels: Sequence[MapPanel], path: Path) -> None:
    """The maps' data (gathered interface facets and j_n per panel) for :func:`map_figure`."""
    arrays: dict[str, np.ndarray] = {
        "titles": np.array([p.title for p in panels]),
        "frequencies_Hz": np.array([p.frequency for p in panels]),
    }
    for k, panel in enumerate(panels):
        ic = panel.current
        arrays |= {f"vertices_{k}": ic.vertices, f"area_{k}": ic.area, f"jn_{k}": ic.jn}
    np.savez_compressed(path, **arrays)


def map_figure(path: Path) -> Figure:
    """The current maps of ``current_map.npz`` as a matplotlib figure (for notebooks).

    Same data, units and colour cap as the rendered current_map.png; drawn flat in x–y, so
    seen from the electrolyte (the PNG looks from the metal side, mirrored).
    """
    from matplotlib.collections import PolyCollection

    data = np.load(path)
    titles, frequencies = data["titles"], data["frequencies_Hz"]
    fig = Figure(figsize=(4.4 * len(titles), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(titles)))
    for k, ax in enumerate(axes):
        panel = MapPanel(str(titles[k]), float(frequencies[k]), None)  # type: ignore[arg-type]
        jn = np.abs(data[f"jn_{k}"]) * M2_PER_CM2
        area = data[f"area_{k}"]
        cap = weighted_percentile(jn, area, CAP_PERCENTILE)
        polygons = PolyCollection(
            data[f"vertices_{k}"][:, :, :2] / UM, cmap="inferno", linewidths=0, antialiased=False
        )
        polygons.set_array(jn)
        polygons.set_clim(0.0, cap if cap > 0 else 1.0)
        ax.add_collection(polygons)
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.set_xlabel("x (µm)")
        ax.set_ylabel("y (µm)")
        ax.set_title(
            f"{panel.heading}\nmean {np.sum(jn * area) / area.sum():.3g} A/cm² per V", fontsize=9
        )
        fig.colorbar(
            polygons,
            ax=ax,
            label=f"|j_n| (A/cm² per V), capped at p{CAP_PERCENTILE:g}",
            extend="max",
            shrink=0.8,
        )
    return fig


@dataclass
class Section:
    title: str
    x: np.ndarray  # µm, horizontal axis
    z: np.ndarray  # µm
    values: np.ndarray  # (len(z), len(x)), nan outside the mesh


class SectionSampler:
    """Points of a vertical plane y = y_centre located in the mesh once, sampled per solution.

    Collective: every rank evaluates |φ| at the points inside its own cells, rank 0 sums them.
    """

    def __init__(self, spaces: FieldSpaces, resolution: int = 240):
        self.spaces = spaces
        mesh = spaces.system.bundle.mesh
        self.comm = mesh.comm
        x = mesh.geometry.x
        lo, hi = x.min(axis=0), x.max(axis=0)
        self.comm.Allreduce(MPI.IN_PLACE, lo, op=MPI.MIN)
        self.comm.Allreduce(MPI.IN_PLACE, hi, op=MPI.MAX)
        width, height = hi[0] - lo[0], hi[2] - lo[2]
        nz = max(40, int(resolution * height / width))
        # cell-centred sample positions: no point lies exactly on the boundary
        self.x = lo[0] + (np.arange(resolution) + 0.5) * width / resolution
        self.z = lo[2] + (np.arange(nz) + 0.5) * height / nz
        X, Z = np.meshgrid(self.x, self.z)
        points = np.column_stack([X.ravel(), np.full(X.size, 0.5 * (lo[1] + hi[1])), Z.ravel()])
        tree = geometry.bb_tree(mesh, mesh.topology.dim)
        hits = geometry.compute_colliding_cells(
            mesh, geometry.compute_collisions_points(tree, points), points
        )
        self.found = np.flatnonzero(hits.offsets[1:] > hits.offsets[:-1])
        self.cells = hits.array[hits.offsets[self.found]]
        self.points = points
        self.count = self._sum(np.isin(np.arange(len(points)), self.found) * 1.0)

    def _sum(self, local: np.ndarray) -> np.ndarray:
        """Elementwise sum over the ranks, on rank 0."""
        total = np.zeros_like(local) if self.comm.rank == 0 else None
        self.comm.Reduce(local, total, op=MPI.SUM, root=0)
        return total

    def section(self, solution: Solution, title: str) -> Section | None:
        """|φ| of ``solution`` on the plane (rank 0; None elsewhere)."""
        phi = self.spaces.system.function(solution.phi)
        local = np.zeros(len(self.points))
        if self.found.size:
            local[self.found] = np.abs(phi.eval(self.points[self.found], self.cells).ravel())
        total = self._sum(local)
        if self.comm.rank != 0:
            return None
        values = np.where(self.count > 0, total / np.maximum(self.count, 1), np.nan)
        return Section(title, self.x / UM, self.z / UM, values.reshape(len(self.z), len(self.x)))


def section_plot(sections: Sequence[Section], path: Path) -> None:
    """The sections stacked vertically, same colour scale (|φ| from 0 to 1 V per V applied)."""
    first = sections[0]
    aspect = (first.z[-1] - first.z[0]) / (first.x[-1] - first.x[0])
    panel_height = max(1.6, 6.4 * aspect)
    fig = Figure(figsize=(7.2, 0.9 + panel_height * len(sections)), layout="constrained")
    axes = fig.subplots(len(sections), 1, squeeze=False)
    for ax, s in zip(axes[:, 0], sections, strict=True):
        image = ax.pcolormesh(s.x, s.z, s.values, cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_aspect("equal")
        ax.set_title(s.title, fontsize=9)
        ax.set_ylabel("z (µm)")
    axes[-1, 0].set_xlabel("x (µm), section y = centre; WE on top, CE at the bottom")
    fig.colorbar(image, ax=axes[:, 0], label="|φ| (V per V applied)", shrink=0.9)
    fig.savefig(path, dpi=130)
