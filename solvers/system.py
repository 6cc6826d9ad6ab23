"""The frequency-domain FEM system of a cell and its impedance Z(ω) = V / I.

The discrete system is a sum of affine pieces ("terms"), each a scalar coefficient of ω times
a fixed matrix:

    Σ_k c_k(ω) (K_k φ − f_k) = 0   on the free dofs,

* a volume group with admittivity κ(ω):  c = κ(ω),  K = ∫_Ωk ∇u·∇v,  f = 0;
* a surface admittance (Robin condition −κ∂φ/∂n = Y(ω) w(x) (φ − V_metal), for interface
  kinetics, interphases or thin gaps):  c = Y(ω),  K = ∫_Γ w u v,  f = V_metal ∫_Γ w v.

The K_k are assembled once into one common sparsity pattern (so the sum is a same-pattern
AXPY); metal surfaces without a Robin condition are Dirichlet dofs (working electrode at V = 1,
counter electrode at 0), eliminated algebraically; each frequency then costs one numeric
factorization that reuses the symbolic analysis, or one Krylov solve (``linear_solver.py``).
Any c_k(ω) is allowed: the fast sweep (``reduced_order.py``) projects this structure,
whatever the frequency laws.

The current is the consistent reaction, I = Σ_k c_k q_kᵀ(K_k φ − f_k), with q = w (indicator
of the working-electrode Dirichlet dofs) for volume terms and CE surface terms, and q = w − 1
for working-electrode surface terms (their flux ∫ Y w (V − φ) adds to the reaction). It
converges at the energy rate, unlike the normal derivative on the boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

from eisfem.core.errors import SolverError
from eisfem.geometry import tags
from eisfem.geometry.mesh import MeshBundle
from eisfem.solvers.linear_solver import LinearSolverOptions, RestrictedOperator

STATIC_PROBE = 1.0  # rad/s: finite-difference step for the static permittivity of a term

Coefficient = Callable[[float], complex]


@dataclass(frozen=True)
class VolumeTerm:
    """A volume group with admittivity κ(ω) (S/m)."""

    group: str
    admittivity: Coefficient


@dataclass(frozen=True)
class SurfaceTerm:
    """A Robin condition −κ ∂φ/∂n = Y(ω) w(x) (φ − V_metal) on a boundary group.

    ``electrode`` names the metal behind the surface ("we" at V, "ce" at 0); ``weight`` is an
    optional spatial factor w(x) (a UFL expression, e.g. 1/h(x, y) of a thin gap).
    """

    group: str
    admittance: Coefficient  # S/m²
    electrode: Literal["we", "ce"]
    weight: Any = None


@dataclass
class Solution:
    """One solve: impedance and the full potential vector (Dirichlet values included)."""

    omega: float
    impedance: complex
    phi: PETSc.Vec


@dataclass
class Term:
    """One assembled piece c(ω)·(K φ − f) with its current weight q."""

    name: str
    coefficient: Coefficient
    matrix: PETSc.Mat
    source: PETSc.Vec | None
    weight: PETSc.Vec
    group: str
    kind: Literal["volume", "surface"]

    def residual(self, phi: PETSc.Vec) -> PETSc.Vec:
        r = self.matrix * phi
        if self.source is not None:
            r.axpy(-1.0, self.source)
        return r


class ImpedanceSystem:
    """Z(ω) of a meshed cell: volume media, surface admittances and metal electrodes."""

    def __init__(
        self,
        bundle: MeshBundle,
        volumes: Sequence[VolumeTerm],
        surfaces: Sequence[SurfaceTerm] = (),
        degree: int = 2,
        solver: LinearSolverOptions | None = None,
        voltage: float = 1.0,
    ):
        self.bundle = bundle
        self.degree = degree
        self.voltage = voltage
        self.volume_terms = list(volumes)  # the specifications, for models built on this system
        self.surface_terms = list(surfaces)
        self.solver = solver or LinearSolverOptions()
        mesh = bundle.mesh
        self.comm: MPI.Comm = mesh.comm
        self.V = fem.functionspace(mesh, ("Lagrange", degree))
        self._u, self._v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        self._dx = ufl.Measure("dx", domain=mesh, subdomain_data=bundle.cell_tags)
        self._ds = ufl.Measure("ds", domain=mesh, subdomain_data=bundle.facet_tags)

        # One sparsity pattern for all terms: assemble explicit zeros over every cell first.
        zero = fem.Constant(mesh, PETSc.ScalarType(0.0))
        pattern_form = fem.form(zero * ufl.inner(ufl.grad(self._u), ufl.grad(self._v)) * self._dx)
        self._pattern = fem_petsc.create_matrix(pattern_form)
        fem_petsc.assemble_matrix(self._pattern, pattern_form)
        self._pattern.assemble()

        robin = {t.group for t in surfaces}
        self._setup_dirichlet(robin)
        self.terms: list[Term] = []
        for vt in volumes:
            if (tag := bundle.tag(vt.group)) is not None:
                form = ufl.inner(ufl.grad(self._u), ufl.grad(self._v)) * self._dx(tag)
                self._add_term(vt.group, "volume", vt.admittivity, form, None, self.w)
        ones = self.w.duplicate()
        ones.set(1.0)
        for st in surfaces:
            if (tag := bundle.tag(st.group)) is None:
                continue
            weight = 1.0 if st.weight is None else st.weight
            form = ufl.inner(weight * self._u, self._v) * self._ds(tag)
            source = fem_petsc.assemble_vector(fem.form(ufl.inner(weight, self._v) * self._ds(tag)))
            source.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            metal = self.voltage if st.electrode == "we" else 0.0
            source.scale(metal)
            q = self.w.copy()
            if st.electrode == "we":
                q.axpy(-1.0, ones)
            self._add_term(st.group, "surface", st.admittance, form, source, q)
        if not any(t.kind == "volume" for t in self.terms):
            raise SolverError("no volume of the mesh has a medium: check materials")
        self.operator = RestrictedOperator(self.free, [t.matrix for t in self.terms], self.solver)
        self._dc: RestrictedOperator | None = None
        self._dc_fill: RestrictedOperator | None = None

    def with_degree(
        self, degree: int, solver: LinearSolverOptions | None = None
    ) -> ImpedanceSystem:
        """The same cell (mesh, terms, voltage) discretised at another degree, solved as this
        one unless ``solver`` says otherwise."""
        return ImpedanceSystem(
            self.bundle,
            self.volume_terms,
            self.surface_terms,
            degree,
            solver or self.solver,
            self.voltage,
        )

    def _add_term(self, group, kind, coefficient, form, source, weight) -> None:
        K = self._pattern.duplicate(copy=True)
        fem_petsc.assemble_matrix(K, fem.form(form))
        K.assemble()
        if source is not None:
            # a plain PETSc vector of owned entries, like the matrix rows
            plain = K.createVecRight()
            plain.array[:] = source.array_r[: plain.getLocalSize()]
            source = plain
        self.terms.append(Term(f"{kind}:{group}", coefficient, K, source, weight, group, kind))

    # --- boundary data ----------------------------------------------------------------------

    def _group_dofs(self, names: Sequence[str]) -> np.ndarray:
        ft = self.bundle.facet_tags
        facets = np.concatenate(
            [ft.find(self.bundle.groups[n]) for n in names if n in self.bundle.groups]
            or [np.empty(0, np.int32)]
        )
        dofs = fem.locate_dofs_topological(self.V, 2, facets)
        return dofs[dofs < self.V.dofmap.index_map.size_local]

    def _setup_dirichlet(self, robin: set[str]) -> None:
        """Metal surfaces without a Robin condition are Dirichlet: WE at V, CE at 0."""
        imap = self.V.dofmap.index_map
        n, start = imap.size_local, imap.local_range[0]
        we = self._group_dofs([g for g in tags.WE_SURFACES if g not in robin])
        ce = self._group_dofs([g for g in tags.CE_SURFACES if g not in robin])
        # a Robin contact (kinetics) owns its rim: bare metal beside it (pore walls) touches the
        # electrolyte only along that line and must not pin it to the metal potential
        rims = self._group_dofs([g for g in robin if g in (tags.WE_CONTACT, tags.CE)])
        we, ce = np.setdiff1d(we, rims), np.setdiff1d(ce, rims)
        is_dirichlet = np.zeros(n, dtype=bool)
        is_dirichlet[we] = True
        is_dirichlet[ce] = True
        self.free_local = np.flatnonzero(~is_dirichlet)
        self.free = PETSc.IS().createGeneral(
            (self.free_local + start).astype(PETSc.IntType), comm=self.comm
        )
        self.g = self._pattern.createVecRight()  # Dirichlet values
        self.g.set(0.0)
        self.g.array[we] = self.voltage
        self.w = self._pattern.createVecRight()  # indicator of WE Dirichlet dofs
        self.w.set(0.0)
        self.w.array[we] = 1.0

    @property
    def dofs(self) -> int:
        return self.V.dofmap.index_map.size_global

    def coefficients(self, omega: float) -> list[complex]:
        return [complex(t.coefficient(omega)) for t in self.terms]

    # --- solves -------------------------------------------------------------------------------

    def _rhs(self, coefficients: Sequence[complex], dofs: PETSc.IS, base: PETSc.Vec) -> PETSc.Vec:
        """−Σ c_k (K_k base − f_k) restricted to ``dofs`` (base: the known potential)."""
        full = base.duplicate()
        full.set(0.0)
        for c, t in zip(coefficients, self.terms, strict=True):
            if c != 0:
                full.axpy(-c, t.residual(base))
        sub = full.getSubVector(dofs)
        rhs = sub.copy()
        full.restoreSubVector(dofs, sub)
        return rhs

    def rhs(self, coefficients: Sequence[complex]) -> PETSc.Vec:
        """Right-hand side of the free-dof system at these coefficients (Dirichlet data moved)."""
        return self._rhs(coefficients, self.free, self.g)

    def potential(self, x: PETSc.Vec) -> PETSc.Vec:
        """The full potential vector from the free-dof values ``x`` (Dirichlet values added)."""
        phi = self.g.copy()
        phi.isaxpy(self.free, 1.0, x)
        return phi

    def current(self, coefficients: Sequence[complex], phi: PETSc.Vec) -> complex:
        """Current into the working electrode for the potential ``phi`` (consistent reaction)."""
        total = 0j
        for c, t in zip(coefficients, self.terms, strict=True):
            if c != 0:
                total += c * t.weight.tDot(t.residual(phi))
        return complex(total)

    def _solution(self, omega: float, coefficients: Sequence[complex], phi: PETSc.Vec) -> Solution:
        current = self.current(coefficients, phi)
        impedance = self.voltage / current if current != 0 else complex(np.inf)
        return Solution(omega, impedance, phi)

    def solve(self, omega: float) -> Solution:
        """Solve at angular frequency ``omega`` (ω = 0 is the DC limit, see :meth:`solve_dc`)."""
        if omega == 0:
            return self.solve_dc()
        coeffs = self.coefficients(omega)
        self.operator.update(coeffs)
        return self._solution(omega, coeffs, self.potential(self.operator.solve(self.rhs(coeffs))))

    def solve_dc(self) -> Solution:
        """The ω → 0 limit: conduction where current flows at DC, then electrostatics elsewhere.

        Dofs touched only by non-conducting terms (pore interiors) drop out of the conduction
        problem; their limit potential solves the dielectric problem with the conducting
        solution as boundary data, so the DC field is the true limit of the AC fields.
        """
        sigma = self.coefficients(0.0)
        static = [
            (c1 - c0).imag / STATIC_PROBE
            for c0, c1 in zip(sigma, self.coefficients(STATIC_PROBE), strict=True)
        ]
        if self._dc is None:
            conducting = self._touched_by(sigma)
            free = np.zeros(self.V.dofmap.index_map.size_local, dtype=bool)
            free[self.free_local] = True
            start = self.V.dofmap.index_map.local_range[0]

            def restricted(mask: np.ndarray) -> RestrictedOperator | None:
                if self.comm.allreduce(int(mask.sum()), MPI.SUM) == 0:
                    return None
                idx = (np.flatnonzero(mask) + start).astype(PETSc.IntType)
                dofs = PETSc.IS().createGeneral(idx, comm=self.comm)
                return RestrictedOperator(dofs, [t.matrix for t in self.terms], self.solver)

            self._dc = restricted(free & conducting)
            self._dc_fill = restricted(free & ~conducting)
        phi = self.g.copy()
        if self._dc is not None:
            self._dc.update(sigma)
            x = self._dc.solve(self._rhs(sigma, self._dc.dofs, self.g))
            phi.isaxpy(self._dc.dofs, 1.0, x)
        if self._dc_fill is not None and any(static):
            self._dc_fill.update(static)
            y = self._dc_fill.solve(self._rhs(static, self._dc_fill.dofs, phi))
            phi.isaxpy(self._dc_fill.dofs, 1.0, y)
        return self._solution(0.0, sigma, phi)

    def _touched_by(self, coefficients: Sequence[complex]) -> np.ndarray:
        """Owned dofs whose row in Σ |c_k| K_k is non-zero."""
        total = self._pattern.createVecLeft()
        total.set(0.0)
        for c, t in zip(coefficients, self.terms, strict=True):
            if c != 0:
                d = t.matrix.getDiagonal()
                d.abs()
                total.axpy(abs(c), d)
        d = np.abs(total.array)
        scale = self.comm.allreduce(float(d.max(initial=0.0)), MPI.MAX)
        return d > 1e-12 * scale

    def function(self, phi: PETSc.Vec) -> fem.Function:
        """The potential as a DOLFINx Function (ghosts updated)."""
        u = fem.Function(self.V)
        n = self.V.dofmap.index_map.size_local
        u.x.array[:n] = phi.array
        u.x.scatter_forward()
        return u

    def direct_impedance(self, frequencies: np.ndarray, on_step=None) -> np.ndarray:
        """Z at each frequency (Hz) by one full solve per frequency: the reference that
        :func:`eisfem.solvers.spectrum.solve_spectrum` checks its fast path against."""
        Z = np.empty(len(frequencies), dtype=complex)
        for i, f in enumerate(frequencies):
            Z[i] = self.solve(2 * np.pi * float(f)).impedance
            if on_step is not None:
                on_step(i, f, Z[i])
        return Z
