"""Normal current density through the working-electrode interface, facet by facet.

The shared input of focusing metrics and interface current maps: for every facet of the named
groups (by default the electrolyte's face under the working electrode: contact, pore floors,
thin-gap footprints) the centroid, area, unit normal and the complex normal current density
j_n (A/m², positive into the electrolyte).

j_n is the *consistent* flux, not −κ∇φ·n of the adjacent cell. The residual of the
electrolyte-side volume terms at the interface dofs is r_i = ∫_S j_n ψ_i (it is the reaction
the impedance is taken from), so j_n on a group solves the surface mass-matrix system
M j_n = r there. This flux converges like the potential, sums exactly to the electrode current,
and stays accurate next to contact edges, where the cell gradient (sampled at the cell
centroid, a fraction of an element away from the facet) misses the r^−1/2 singularity.

The flux jumps at a contact edge (singular on the contact, displacement current only on a pore
floor), which no continuous trace can hold, so each group gets its own projection: the pore
floors take the pore-side residual (the current the pore delivers), thin-gap footprints their
Robin residual, and the contact the rest of the electrolyte residual, rim nodes included.
Facet values are exact facet means and facet areas are those of the (curved) facets: both are
quadratures of the trace times the facet's area element, evaluated on the reference facet of
the electrolyte-side cell, so they hold on second-order meshes, where a facet next to a rim is
curved and a point of its chord lies off the facet.

Integration over the interface is one-sided (ds with explicit (cell, local facet) pairs of the
owned electrolyte-side cell), so pore floors, which are interior facets, need no dS and no
ghosted facets under MPI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import basix
import numpy as np
import ufl
import ufl.geometry
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from dolfinx.mesh import entities_to_geometry
from mpi4py import MPI
from petsc4py import PETSc

from eisfem.geometry import tags
from eisfem.solvers.system import ImpedanceSystem, Solution

WE_INTERFACE = (tags.WE_CONTACT, tags.PORE_FLOOR, tags.WE_GAP)
CONDUCTING_VOLUMES = (tags.ELECTROLYTE, tags.INTERPHASE)
# exact (to round-off) for the facet mean of a P2 trace on a second-order facet
FACET_QUADRATURE_DEGREE = 8


@dataclass
class InterfaceCurrent:
    group: np.ndarray  # facet tag value of each facet
    centroid: np.ndarray  # (n, 3), metres
    area: np.ndarray  # (n,), m²
    normal: np.ndarray  # (n, 3), unit, pointing into the electrolyte
    jn: np.ndarray  # (n,), complex normal current density into the electrolyte, A/m²
    vertices: np.ndarray  # (n, 3, 3), triangle corners, metres (for maps and renders)


def facet_geometry(mesh, facets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corners and unit normals (unoriented, of the corners' plane) of triangular facets."""
    nodes = entities_to_geometry(mesh, 2, facets.astype(np.int32))
    tri = mesh.geometry.x[nodes[:, :3]]
    cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    return tri, cross / np.linalg.norm(cross, axis=1)[:, None]


def reference_corners(mesh, cells: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Corners (n, 3, 3) of facets (cell, local facet) in the vertex order of the cell's
    reference facet, the order in which facet expressions place reference-facet points."""
    facet_vertices = np.array(basix.topology(basix.CellType.tetrahedron)[2])
    corners = mesh.geometry.dofmaps[0][cells[:, None], facet_vertices[local]]
    return mesh.geometry.x[corners]


class _Projection:
    """The L2 projection onto the trace of V on one facet group (mass matrix + MUMPS LU)."""

    def __init__(self, V: fem.FunctionSpace, ds_group):
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        M = fem_petsc.assemble_matrix(fem.form(ufl.inner(u, v) * ds_group))
        M.assemble()
        comm = V.mesh.comm
        diagonal = np.abs(M.getDiagonal().array)
        scale = comm.allreduce(float(diagonal.max(initial=0.0)), MPI.MAX)
        start = V.dofmap.index_map.local_range[0]
        rows = np.flatnonzero(diagonal > 1e-12 * scale) + start
        self.dofs = PETSc.IS().createGeneral(rows.astype(PETSc.IntType), comm=comm)
        self.M = M.createSubMatrix(self.dofs, self.dofs)
        self.ksp = PETSc.KSP().create(comm)
        self.ksp.setOperators(self.M)
        self.ksp.setType("preonly")
        self.ksp.getPC().setType("lu")
        self.ksp.getPC().setFactorSolverType("mumps")

    def __call__(self, r: PETSc.Vec, out: fem.Function) -> fem.Function:
        """``out`` = the trace whose moments are ``r`` on this group (zero elsewhere)."""
        rs = r.getSubVector(self.dofs)
        x = self.M.createVecRight()
        self.ksp.solve(rs, x)
        r.restoreSubVector(self.dofs, rs)
        full = r.duplicate()
        full.set(0.0)
        full.isaxpy(self.dofs, 1.0, x)
        n = out.function_space.dofmap.index_map.size_local
        out.x.array[:] = 0.0
        out.x.array[:n] = full.array
        out.x.scatter_forward()
        return out


class InterfaceFlux:
    """The consistent normal current density on interface groups, for any solution.

    Built once per system (a surface mass matrix per group and its factorization); each call
    costs a few matrix-vector products and one surface solve per group.
    """

    def __init__(self, system: ImpedanceSystem, groups: Sequence[str] = WE_INTERFACE):
        self.system = system
        bundle = system.bundle
        mesh = bundle.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        mesh.topology.create_connectivity(tdim, tdim - 1)
        f2c = mesh.topology.connectivity(tdim - 1, tdim)
        c2f = mesh.topology.connectivity(tdim, tdim - 1)
        cell_map = mesh.topology.index_map(tdim)
        owned_cells = cell_map.size_local
        conducting = np.zeros(cell_map.size_local + cell_map.num_ghosts, dtype=bool)
        ct = bundle.cell_tags
        values = [bundle.groups[g] for g in CONDUCTING_VOLUMES if g in bundle.groups]
        conducting[ct.indices[np.isin(ct.values, values)]] = True

        ft = bundle.facet_tags
        self.names = {bundle.groups[g]: g for g in groups if g in bundle.groups}
        keep = np.isin(ft.values, list(self.names))
        facets, group, cells = [], [], []
        for f, value in zip(ft.indices[keep], ft.values[keep], strict=True):
            # the facet belongs to the rank owning its electrolyte-side cell: counted once
            cell = [c for c in f2c.links(f) if c < owned_cells and conducting[c]]
            if cell:
                facets.append(f)
                group.append(value)
                cells.append(cell[0])
        self.facets = np.asarray(facets, dtype=np.int32)
        self.group = np.asarray(group, dtype=np.int32)
        self.cells = np.asarray(cells, dtype=np.int32)
        local = np.array(
            [
                np.flatnonzero(c2f.links(c) == f)[0]
                for c, f in zip(self.cells, self.facets, strict=True)
            ],
            dtype=np.int32,
        )
        self._entities = np.column_stack([self.cells, local]).astype(np.int32)
        self.tri = reference_corners(mesh, self.cells, local)
        cross = np.cross(self.tri[:, 1] - self.tri[:, 0], self.tri[:, 2] - self.tri[:, 0])
        normal = cross / np.linalg.norm(cross, axis=1)[:, None]
        self._expressions: dict[tuple[int, bytes], fem.Expression] = {}
        self._points, weights = basix.make_quadrature(
            basix.CellType.triangle, FACET_QUADRATURE_DEGREE
        )
        area_element = ufl.geometry.FacetJacobianDeterminant(mesh)
        self._weights = self._evaluate(area_element, self._points).real * weights
        self.area = self._weights.sum(axis=1)
        # orient the normals into the electrolyte cell: towards its midpoint
        midpoint = mesh.geometry.x[mesh.geometry.dofmaps[0][self.cells]].mean(axis=1)
        self.centroid = self.tri.mean(axis=1)
        flip = np.einsum("ij,ij->i", midpoint - self.centroid, normal) < 0
        normal[flip] *= -1
        self.normal = normal

        # one projection per group present on any rank (collective)
        present = mesh.comm.allgather(sorted(set(self.group.tolist())))
        self._projections: dict[int, _Projection] = {}
        self._traces: dict[int, fem.Function] = {}
        for value in sorted(set().union(*map(set, present))):
            mine = self.group == value
            pairs = np.column_stack([self.cells[mine], local[mine]]).ravel().astype(np.int32)
            ds = ufl.Measure("ds", domain=mesh, subdomain_data=[(1, pairs)])
            self._projections[value] = _Projection(system.V, ds(1))
            self._traces[value] = fem.Function(system.V)
        self._volume = {
            name: [i for i, t in enumerate(system.terms) if t.kind == "volume" and t.group in g]
            for name, g in (("electrolyte", CONDUCTING_VOLUMES), ("pore", (tags.PORE,)))
        }
        self._gaps = [
            i for i, t in enumerate(system.terms) if t.kind == "surface" and t.group == tags.WE_GAP
        ]

    def _residual(self, which: list[int], coefficients, phi: PETSc.Vec) -> PETSc.Vec:
        r = phi.duplicate()
        r.set(0.0)
        for i in which:
            if coefficients[i] != 0:
                r.axpy(coefficients[i], self.system.terms[i].residual(phi))
        return r

    def traces(self, solution: Solution) -> dict[str, fem.Function]:
        """j_n on each group (by name) as a function of the potential's space."""
        c = self.system.coefficients(solution.omega)
        phi = solution.phi
        electrolyte = self._residual(self._volume["electrolyte"], c, phi)
        pore = self._residual(self._volume["pore"], c, phi)  # −(floor flux)
        gap = self._residual(self._gaps, c, phi)  # −(gap flux): c (Kφ − f)
        gap.scale(-1.0)
        pore.scale(-1.0)
        contact = electrolyte.copy()
        contact.axpy(-1.0, pore)
        contact.axpy(-1.0, gap)
        source = {tags.WE_CONTACT: contact, tags.PORE_FLOOR: pore, tags.WE_GAP: gap}
        out = {}
        for value, projection in self._projections.items():
            name = self.names[value]
            out[name] = projection(source.get(name, electrolyte), self._traces[value])
        return out

    def function(self, solution: Solution) -> fem.Function:
        """j_n on all groups in one function (at a rim node the contact's value wins)."""
        traces = self.traces(solution)
        combined = fem.Function(self.system.V)
        for name in sorted(traces, key=lambda n: n == tags.WE_CONTACT):
            trace = traces[name]
            on = trace.x.array != 0
            combined.x.array[on] = trace.x.array[on]
        return combined

    def _evaluate(self, expression, points: np.ndarray, which=slice(None)) -> np.ndarray:
        """``expression`` (n_facets, n_points) at reference-facet ``points`` (n_points, 2)."""
        key = (id(expression), points.tobytes())
        if (compiled := self._expressions.get(key)) is None:
            compiled = self._expressions[key] = fem.Expression(expression, points)
        return compiled.eval(self.system.bundle.mesh, self._entities[which])

    def _sampled(self, traces: dict[str, fem.Function], points: np.ndarray) -> np.ndarray:
        out = np.zeros((len(self.facets), len(points)), dtype=complex)
        for value in self._projections:
            mine = self.group == value
            if mine.any():
                out[mine] = self._evaluate(traces[self.names[value]], points, mine)
        return out

    def __call__(self, solution: Solution) -> InterfaceCurrent:
        values = self._sampled(self.traces(solution), self._points)
        jn = (values * self._weights).sum(axis=1) / self.area
        return InterfaceCurrent(self.group, self.centroid, self.area, self.normal, jn, self.tri)
