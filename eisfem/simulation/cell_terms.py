"""The terms of a configured cell: the medium of every volume and the admittance on surfaces.

This is where config sections become physics: materials at the run temperature (Arrhenius per
contribution), a brick-layer electrolyte when grain boundaries are given, thin-gap footprints,
and interface kinetics on the working-electrode contact and on the counter electrode. The
impedance system itself knows nothing of configs; it receives these terms.
"""

from __future__ import annotations

from collections.abc import Callable

from eisfem.config import ContactKinetics, Electrolyte, Material, RunConfig, ThermallyActivated
from eisfem.geometry import tags
from eisfem.geometry.mesh import MeshBundle
from eisfem.solvers.arrhenius import arrhenius_factor
from eisfem.solvers.brick_layer import BrickLayerMedium
from eisfem.solvers.kinetics import ChargeTransfer, Series, ThinLayer
from eisfem.solvers.materials import LinearMedium
from eisfem.solvers.system import SurfaceTerm, VolumeTerm
from eisfem.solvers.thin_gap import thin_gap_terms

Coefficient = Callable[[float], complex]

# the metal|electrolyte contact of each electrode, where kinetics sit
CONTACTS = {"we": tags.WE_CONTACT, "ce": tags.CE}


def at_temperature(m: ThermallyActivated, conductivity: float, temperature: float) -> float:
    """``conductivity`` (given at m.reference_temperature) at ``temperature``."""
    return conductivity * arrhenius_factor(
        m.activation_energy, m.reference_temperature, temperature
    )


def linear_medium(m: Material, temperature: float) -> LinearMedium:
    return LinearMedium(at_temperature(m, m.conductivity, temperature), m.permittivity)


def electrolyte_medium(m: Electrolyte, temperature: float) -> Coefficient:
    """The electrolyte: homogeneous, or a brick-layer polycrystal with grain boundaries."""
    grain = linear_medium(m, temperature)
    gb = m.grain_boundaries
    if gb is None:
        return grain
    boundary = LinearMedium(at_temperature(gb, gb.conductivity, temperature), gb.permittivity)
    return BrickLayerMedium(grain, boundary, gb.grain_size, gb.thickness)


def volume_terms(cfg: RunConfig) -> list[VolumeTerm]:
    """The medium of each volume group of the tag contract."""
    T = cfg.temperature
    media: dict[str, Coefficient] = {
        tags.ELECTROLYTE: electrolyte_medium(cfg.materials.electrolyte, T),
        tags.PORE: linear_medium(cfg.materials.pore, T),
    }
    if cfg.interphase is not None:
        media[tags.INTERPHASE] = linear_medium(cfg.interphase, T)
    return [VolumeTerm(group, medium) for group, medium in media.items() if medium(1.0) != 0]


def charge_transfer(k: ContactKinetics, temperature: float) -> ChargeTransfer | None:
    """The Butler–Volmer kinetics of a contact at ``temperature`` (None: ideal, no R_ct).

    The activation energy applies to i0, i.e. 1/R_ct follows (1/R_ct)·T ∝ exp(−Ea/kT).
    """
    alphas = (k.alpha_anodic, k.alpha_cathodic)
    if k.blocking:
        return ChargeTransfer(0.0, k.double_layer_capacitance, *alphas, temperature)
    T_ref = k.reference_temperature
    if k.charge_transfer_resistance is not None:
        ref = ChargeTransfer.from_resistance(
            k.charge_transfer_resistance, k.double_layer_capacitance, *alphas, T_ref
        )
        i0_ref = ref.exchange_current_density
    elif k.exchange_current_density is not None:
        i0_ref = k.exchange_current_density
    else:
        return None
    scale = arrhenius_factor(k.activation_energy, T_ref, temperature) * temperature / T_ref
    return ChargeTransfer(i0_ref * scale, k.double_layer_capacitance, *alphas, temperature)


def contact_admittance(k: ContactKinetics, temperature: float) -> Coefficient:
    """Y(ω) of a contact: charge transfer ‖ double layer, in series with a thin layer."""
    parts: list[Coefficient] = []
    ct = charge_transfer(k, temperature)
    if ct is not None:
        parts.append(ct)
    if k.layer is not None:
        layer = k.layer
        medium = LinearMedium(
            at_temperature(layer, layer.conductivity, temperature), layer.permittivity
        )
        parts.append(ThinLayer(medium, layer.thickness))
    return parts[0] if len(parts) == 1 else Series(parts)


def kinetics_terms(cfg: RunConfig) -> list[SurfaceTerm]:
    """Robin terms of the configured kinetics on the WE contact and the counter electrode."""
    terms = []
    for electrode, group in CONTACTS.items():
        k = getattr(cfg.kinetics, electrode)
        if k is not None:
            terms.append(SurfaceTerm(group, contact_admittance(k, cfg.temperature), electrode))
    return terms


def surface_terms(cfg: RunConfig, bundle: MeshBundle) -> list[SurfaceTerm]:
    """Thin-gap footprints and interface kinetics."""
    gap = linear_medium(cfg.materials.pore, cfg.temperature)
    return thin_gap_terms(bundle, gap) + kinetics_terms(cfg)
