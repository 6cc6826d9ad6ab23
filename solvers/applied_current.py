"""The DC current distribution at an applied current: primary, and secondary with kinetics.

At DC only conducting volumes carry current: ∇·(σ∇φ) = 0 there. Each metal contact is one of

* ideal (primary distribution): Dirichlet, φ = V_metal;
* linear: the contact's admittance at ω = 0, j = Y(0)(V_metal − φ) (R_ct, thin layers, gaps);
* Butler–Volmer: j = i0 [exp(αa f η) − exp(−αc f η)], η = V_metal − φ (nonlinear).

The working electrode is driven galvanostatically: its metal potential V (the CE metal is the
reference, 0 V) is the root of I(V) = I_applied, found by Brent's method on a bracket; each
I(V) is one SNES solve (dolfinx.fem.petsc.NonlinearProblem, Newton with a backtracking line
search and the run's linear-solver options, as every other solve) warm-started from the
previous one. Without Butler–Volmer terms the
problem is linear: one solve at V = 1 is scaled to the applied current.

The current is the consistent reaction, as in the impedance system:
I = w·r_vol(φ) + (1 − w)·r_we(φ), with w the indicator of the WE Dirichlet dofs, r_vol the
volume residual and r_we the flux vector of the WE Robin/Butler–Volmer surfaces.
Dofs outside conducting volumes (pore interiors) are fixed at 0: no DC current flows there.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from dolfinx.la import InsertMode
from petsc4py import PETSc
from scipy.optimize import brentq

from eisfem.core.errors import SolverError
from eisfem.geometry import tags
from eisfem.solvers.kinetics import ChargeTransfer
from eisfem.solvers.system import ImpedanceSystem, Solution

PROBE_VOLTAGE = 1e-6  # V, ≪ RT/F: Butler–Volmer is linear to ~2e-5 here
CURRENT_RTOL = 1e-9  # the applied current is matched to this relative precision
SNES_OPTIONS = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "bt",
    "snes_rtol": 1e-10,
    "snes_max_it": 60,
}


@dataclass
class AppliedCurrentSolution:
    """A DC distribution: WE metal potential, electrode current and the potential field."""

    voltage: float  # V, WE metal vs CE metal
    current: float  # A, from the WE metal into the electrolyte
    solution: Solution  # ω = 0, impedance = voltage / current (chord resistance)


class AppliedCurrentProblem:
    """DC conduction on the mesh and function space of ``system``, contacts as chosen.

    Surface terms of the system keep their ω = 0 admittance, except groups listed in
    ``butler_volmer`` (nonlinear kinetics) and in ``ideal`` (dropped: Dirichlet contacts).
    """

    _count = 0  # unique PETSc options prefixes

    def __init__(
        self,
        system: ImpedanceSystem,
        butler_volmer: Mapping[str, ChargeTransfer] | None = None,
        ideal: Collection[str] = (),
    ):
        self.system = system
        butler_volmer = dict(butler_volmer or {})
        bundle = system.bundle
        mesh = bundle.mesh
        V = system.V
        self.phi = fem.Function(V)
        self.v_we = fem.Constant(mesh, PETSc.ScalarType(0.0))
        v = ufl.TestFunction(V)
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=bundle.cell_tags)
        ds = ufl.Measure("ds", domain=mesh, subdomain_data=bundle.facet_tags)

        volume = []
        conducting_cells = []
        for vt in system.volume_terms:
            sigma = complex(vt.admittivity(0.0))
            if sigma == 0 or (tag := bundle.tag(vt.group)) is None:
                continue
            volume.append(sigma * ufl.inner(ufl.grad(self.phi), ufl.grad(v)) * dx(tag))
            conducting_cells.append(bundle.cell_tags.find(tag))
        if not volume:
            raise SolverError("no volume conducts at DC: a DC distribution needs σ > 0")
        flux = {"we": [], "ce": []}  # current into the electrolyte through Robin surfaces
        robin = set()
        for st in system.surface_terms:
            if st.group in ideal or (tag := bundle.tag(st.group)) is None:
                continue
            robin.add(st.group)
            metal = self.v_we if st.electrode == "we" else 0.0
            eta = metal - self.phi
            if st.group in butler_volmer:
                j = butler_volmer[st.group].current(eta, ufl.exp)
            else:
                y = complex(st.admittance(0.0))
                if y == 0:
                    continue
                j = y * (1.0 if st.weight is None else st.weight) * eta
            flux[st.electrode].append(ufl.inner(j, v) * ds(tag))
        self.nonlinear = bool(set(butler_volmer) & robin)
        self._r_vol = fem.form(sum(volume))
        self._r_we = fem.form(sum(flux["we"])) if flux["we"] else None
        # a zero term over every cell gives the Jacobian rows of the non-conducting dofs a
        # sparsity pattern, so their Dirichlet diagonal can be inserted
        zero = fem.Constant(mesh, PETSc.ScalarType(0.0))
        residual = sum(volume) + zero * ufl.inner(ufl.grad(self.phi), ufl.grad(v)) * ufl.dx
        for term in flux["we"] + flux["ce"]:
            residual = residual - term

        bcs, self._w = self._dirichlet(robin, np.concatenate(conducting_cells))
        AppliedCurrentProblem._count += 1
        self._problem = fem_petsc.NonlinearProblem(
            residual,
            self.phi,
            bcs=bcs,
            petsc_options_prefix=f"eisfem_dc{AppliedCurrentProblem._count}_",
            petsc_options=SNES_OPTIONS | system.solver.as_petsc_options(),
        )

    def _dirichlet(self, robin: set[str], cells: np.ndarray):
        """Metal without a Robin term: WE at V, CE at 0; non-conducting dofs fixed at 0."""
        V = self.system.V
        bundle = self.system.bundle
        ft = bundle.facet_tags

        def dofs_of(names) -> np.ndarray:
            facets = [ft.find(bundle.groups[n]) for n in names if n in bundle.groups]
            if not facets:
                return np.empty(0, dtype=np.int32)
            return fem.locate_dofs_topological(V, 2, np.concatenate(facets))

        we = dofs_of([g for g in tags.WE_SURFACES if g not in robin])
        ce = dofs_of([g for g in tags.CE_SURFACES if g not in robin])
        rims = dofs_of([g for g in robin if g in (tags.WE_CONTACT, tags.CE)])  # as the system
        we, ce = np.setdiff1d(we, rims), np.setdiff1d(ce, rims)
        # dofs of conducting cells, made consistent across ranks
        marker = fem.Function(V)
        marker.x.array[fem.locate_dofs_topological(V, 3, cells)] = 1.0
        marker.x.scatter_reverse(InsertMode.add)
        marker.x.scatter_forward()
        frozen = np.flatnonzero(marker.x.array.real == 0).astype(np.int32)
        zero = PETSc.ScalarType(0.0)
        bcs = [
            fem.dirichletbc(self.v_we, we, V),
            fem.dirichletbc(zero, ce, V),
            fem.dirichletbc(zero, frozen, V),
        ]
        w = fem.Function(V)
        w.x.array[we] = 1.0
        return bcs, w

    def current(self) -> float:
        """Current from the WE metal into the electrolyte for the present ``phi`` (A)."""
        r_vol = fem_petsc.assemble_vector(self._r_vol)
        r_vol.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        w = self._w.x.petsc_vec
        total = w.dot(r_vol)
        if self._r_we is not None:
            r_we = fem_petsc.assemble_vector(self._r_we)
            r_we.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            total += r_we.sum() - w.dot(r_we)
        return complex(total).real

    def _solve(self, voltage: float) -> float:
        """φ and I for the WE metal at ``voltage`` (V)."""
        self.v_we.value = voltage
        self._problem.solve()
        reason = self._problem.solver.getConvergedReason()
        if reason <= 0:
            raise SolverError(
                f"the Butler–Volmer (SNES) solve did not converge at V = {voltage:.4g} V "
                f"(reason {reason}); lower dc.current_density or check the kinetics"
            )
        return self.current()

    def at_current(self, current: float) -> AppliedCurrentSolution:
        """The distribution at the applied ``current`` (A; > 0 from the WE into the electrolyte)."""
        if not self.nonlinear:
            unit = self._solve(1.0)
            voltage = current / unit
            self.phi.x.array[:] *= voltage
            self.v_we.value = voltage
        else:
            voltage = self._root(current)
        phi = self.system.g.duplicate()
        n = self.system.V.dofmap.index_map.size_local
        phi.array[:] = self.phi.x.array[:n]
        return AppliedCurrentSolution(
            voltage, current, Solution(0.0, complex(voltage / current), phi)
        )

    def _root(self, current: float) -> float:
        """V with I(V) = current, by Brent's method on a bracket (I(V) is monotonic).

        The bracket starts from the linearised estimate (a probe far below RT/F, where
        Butler–Volmer is linear, scaled to the current): in the linear regime it is nearly the
        root; in the Tafel regime it overshoots, which closes the bracket at once. The search
        stops as soon as the current matches to CURRENT_RTOL (the SNES solves are not more
        precise than that, so Brent's own tolerance on V would only bisect noise).
        """

        class Matched(Exception):
            pass

        known: dict[float, float] = {}

        def mismatch(V: float) -> float:
            if V not in known:
                known[V] = self._solve(V) - current
                if abs(known[V]) <= CURRENT_RTOL * abs(current):
                    raise Matched(V)
            return known[V]

        self.phi.x.array[:] = 0.0
        low = PROBE_VOLTAGE * np.sign(current)
        try:
            high = current * low / (mismatch(low) + current)
            while mismatch(high) * np.sign(current) < 0:
                low, high = high, 2 * high
                if abs(high) > 10:
                    raise SolverError("no WE potential below 10 V reaches dc.current_density")
            return float(brentq(mismatch, min(low, high), max(low, high), rtol=1e-14))
        except Matched as done:
            return float(done.args[0])
