"""Pictures of where the current goes: interface current maps and a potential cross-section.

* Current map: |j_n|/j_nominal on the working-electrode interface (contact, pore floors, gap
  footprints), seen from the metal side, on a logarithmic colour scale over the whole range
  (j_nominal = |I| / nominal electrode area, so 1 is the uniform current). Nodal values
  averaged per part of the interface and Gouraud shading keep rims smooth without blurring
  the physical jump at the rim (``postprocess.current_map``). Next to each map, the profile of
  |j_n|/j_nominal against the distance to the contact rim, on the contact and on the gap
  side, with the d^−1/2 slope of an ideal contact edge for reference. At DC the peak next to
  an ideal contact edge is singular (it grows with mesh refinement); the title says so.
* Potential cross-section: |φ| sampled on a vertical plane through the cell centre with
  DOLFINx point evaluation (collective, works under MPI), drawn with matplotlib.

Both are drawn on rank 0 from data gathered there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from dolfinx import geometry
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from mpi4py import MPI

from eisfem.geometry import tags
from eisfem.postprocess.current_map import nodal_parts, rim_profile
from eisfem.postprocess.focusing import point_segment_distance
from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.interface_current import InterfaceCurrent, InterfaceFlux
from eisfem.solvers.system import Solution

UM = 1e-6
DECADES = 4  # the colour scale spans at most this many decades below the peak


@dataclass
class MapPanel:
    title: str  # e.g. "DC" or "constriction arc apex"
    frequency: float  # Hz, 0 = DC
    current: InterfaceCurrent  # gathered: all facets of the interface
    nominal: float  # j_nominal = |I| / nominal electrode area, A/m²
    edges: np.ndarray  # (m, 2, 3) contact-rim segments, metres (empty: no rim)
    contact_group: int  # facet tag value of the contact

    @property
    def short(self) -> str:
        return "DC" if self.frequency == 0 else f"{self.frequency:.3g} Hz"

    @property
    def heading(self) -> str:
        return self.title if self.frequency == 0 else f"{self.title}, {self.short}"

    @property
    def relative(self) -> np.ndarray:
        """|j_n| / j_nominal of each facet."""
        return np.abs(self.current.jn) / self.nominal


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


def map_panel(
    title: str,
    frequency: float,
    flux: InterfaceFlux,
    solution: Solution,
    current: complex,
    edges: np.ndarray,
) -> MapPanel | None:
    """The panel of ``solution`` whose electrode current is ``current`` (A); collective,
    the panel on rank 0 (None elsewhere). ``edges``: the contact rim (ContactFocusing.edges)."""
    system = flux.system
    gathered = gather_current(flux(solution), system.comm)
    if gathered is None:
        return None
    bundle = system.bundle
    nominal = abs(current) / bundle.electrode_area
    contact = bundle.groups.get(tags.WE_CONTACT, -1)
    return MapPanel(title, frequency, gathered, nominal if nominal > 0 else 1.0, edges, contact)


def _log_range(values: np.ndarray) -> tuple[float, float]:
    """Colour range: from the smallest value within DECADES of the largest, to the largest.
    Values further down (exact zeros and round-off, e.g. a pore floor at DC) are drawn grey."""
    top = float(values.max()) if values.size and values.max() > 0 else 1.0
    shown = values[values >= top * 10.0**-DECADES]
    return float(shown.min()) if shown.size else top, top


def _draw_map(ax, fig, panel: MapPanel) -> None:
    ic = panel.current
    rel = panel.relative
    vmin, vmax = _log_range(rel)
    norm = LogNorm(vmin=vmin, vmax=vmax if vmax > vmin else vmin * 10)
    cmap = colormaps["inferno"].with_extremes(under="0.75")
    image = None
    for part in nodal_parts(ic.vertices, rel, ic.group):
        xy = part.xy / UM
        image = ax.tripcolor(
            xy[:, 0],
            xy[:, 1],
            part.triangles,
            np.maximum(part.values, vmin * 0.999),
            shading="gouraud",
            norm=norm,
            cmap=cmap,
            rasterized=True,
        )
    if len(panel.edges):
        segments = panel.edges[:, :, :2] / UM
        ax.add_collection(LineCollection(segments, colors="cyan", linewidths=0.4, alpha=0.7))
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    peak = float(rel.max()) if rel.size else 0.0
    note = " (mesh-dependent at an ideal edge)" if panel.frequency == 0 else ""
    ax.set_title(f"{panel.heading}: |j_n|/j_nominal, peak {peak:.3g}{note}", fontsize=8)
    if image is not None:
        bar = fig.colorbar(image, ax=ax, shrink=0.85, extend="min")
        bar.set_label("|j_n| / j_nominal (log; grey: below range)", fontsize=8)


def _draw_profile(ax, panel: MapPanel) -> None:
    ic = panel.current
    on_contact = ic.group == panel.contact_group
    distance = point_segment_distance(ic.centroid, panel.edges)
    profile = rim_profile(distance, ic.area, panel.relative, on_contact)
    if profile is None:
        ax.text(0.5, 0.5, "no contact rim", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    d = profile.distance / UM
    ax.loglog(d, profile.contact, "o-", ms=3, lw=1.2, label="contact side")
    if (profile.other > 0).any():
        ax.loglog(d, profile.other, "s--", ms=3, lw=1.0, label="gap / pore side")
    finite = np.isfinite(profile.contact)
    if finite.any():
        d0, j0 = d[finite][0], profile.contact[finite][0]
        ax.loglog(d, j0 * (d / d0) ** -0.5, ":", color="0.4", lw=1, label="∝ d^−1/2 (ideal edge)")
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xlabel("distance to the contact rim (µm)")
    ax.set_ylabel("mean |j_n| / j_nominal")
    ax.set_title("profile across the rim (area-weighted mean per bin)", fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)


def map_figure_of(panels: Sequence[MapPanel]) -> Figure:
    """Each panel as a map (log colour scale) with its rim profile beside it."""
    fig = Figure(figsize=(10.5, 4.4 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 2, squeeze=False, width_ratios=[1.35, 1.0])
    for row, panel in zip(axes, panels, strict=True):
        _draw_map(row[0], fig, panel)
        _draw_profile(row[1], panel)
    return fig


def current_maps(panels: Sequence[MapPanel], path: Path) -> None:
    """The maps of :func:`map_figure_of` into ``path``."""
    map_figure_of(panels).savefig(path, dpi=130)


PANELS_FILE = "current_map.npz"
_CURRENT_FIELDS = tuple(InterfaceCurrent.__dataclass_fields__)


def save_panels(panels: Sequence[MapPanel], path: Path) -> None:
    """The maps' data (gathered interface facets, j_n, j_nominal and the contact rim per
    panel) for :func:`map_figure`."""
    arrays: dict[str, np.ndarray] = {
        "titles": np.array([p.title for p in panels]),
        "frequencies_Hz": np.array([p.frequency for p in panels]),
        "nominal_A_m2": np.array([p.nominal for p in panels]),
        "contact_groups": np.array([p.contact_group for p in panels]),
    }
    for k, panel in enumerate(panels):
        arrays[f"edges_{k}"] = panel.edges
        for name in _CURRENT_FIELDS:
            arrays[f"{name}_{k}"] = getattr(panel.current, name)
    np.savez_compressed(path, **arrays)


def map_figure(path: Path) -> Figure:
    """The current maps of ``current_map.npz`` as a matplotlib figure (for notebooks), drawn
    by the code that drew the run's current_map.png."""
    data = np.load(path)
    panels = [
        MapPanel(
            str(title),
            float(data["frequencies_Hz"][k]),
            InterfaceCurrent(*(data[f"{name}_{k}"] for name in _CURRENT_FIELDS)),
            float(data["nominal_A_m2"][k]),
            data[f"edges_{k}"],
            int(data["contact_groups"][k]),
        )
        for k, title in enumerate(data["titles"])
    ]
    return map_figure_of(panels)


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
