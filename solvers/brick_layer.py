"""A polycrystalline electrolyte as a brick-layer effective medium (docs/design.md §2.5).

Cubic grains of size d with grain boundaries of thickness δ ≪ d in series along the current:

    1/κ_eff(ω) = 1/κ_grain(ω) + (δ/d)/κ_gb(ω),

so a slab of it is exactly two parallel-RC elements in series: the bulk arc
(R = L/(σ_g A), f_apex = σ_g/(2π ε0 εr_g)) and the grain-boundary arc
(R = L δ/(d σ_gb A), f_apex = σ_gb/(2π ε0 εr_gb)). The parallel path along the boundaries is
neglected, which is the usual brick-layer assumption for blocking boundaries (σ_gb ≪ σ_g).
κ_eff is not affine in ω; the impedance system accepts any κ(ω).
"""

from __future__ import annotations

from dataclasses import dataclass

from eisfem.solvers.materials import LinearMedium


@dataclass(frozen=True)
class BrickLayerMedium:
    grain: LinearMedium
    boundary: LinearMedium
    grain_size: float  # m
    boundary_thickness: float  # m

    @property
    def boundary_fraction(self) -> float:
        return self.boundary_thickness / self.grain_size

    def __call__(self, omega: float) -> complex:
        kg, kb = self.grain(omega), self.boundary(omega)
        if kg == 0 or kb == 0:
            return 0j  # a blocking phase in series blocks the whole path
        return 1.0 / (1.0 / kg + self.boundary_fraction / kb)
