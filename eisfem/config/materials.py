"""Config sections of the physics: materials (Arrhenius), interphase, interface kinetics."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from eisfem.config.base import Model
from eisfem.config.units import Conductivity, Length, quantity
from eisfem.solvers import presets

RelativePermittivity = quantity("dimensionless", ge=0, example="30")
Temperature = quantity("K", gt=0, example="25 degC")
ActivationEnergy = quantity("eV", ge=0, lt=5, example="0.26 eV")
AreaResistance = quantity("ohm*m^2", gt=0, example="7 ohm*cm^2")
AreaCapacitance = quantity("F/m^2", ge=0, example="10 uF/cm^2")
ExchangeCurrentDensity = quantity("A/m^2", gt=0, example="1 mA/cm^2")
CurrentDensity = quantity("A/m^2", example="1 mA/cm^2")
ROOM_TEMPERATURE = 298.15  # K


# --- materials --------------------------------------------------------------------------------


class ThermallyActivated(Model):
    """A conductivity given at a reference temperature, Arrhenius σT = σ0·exp(−Ea/kT) in T."""

    activation_energy: ActivationEnergy | None = Field(
        None, description="Ea of the conductivity (none: the same σ at every temperature)"
    )
    reference_temperature: Temperature = Field(
        ROOM_TEMPERATURE, description="Temperature at which the conductivity is given"
    )


class Material(ThermallyActivated):
    """A linear isotropic medium: κ(ω) = σ + iωε0εr."""

    conductivity: Conductivity = Field(0.0, description="Ionic conductivity σ")
    permittivity: RelativePermittivity = Field(
        1.0, description="Relative permittivity εr (0 switches off displacement current)"
    )


class GrainBoundaries(ThermallyActivated):
    """Brick-layer grain boundaries: cubic grains of size d separated by layers of thickness δ."""

    grain_size: Length = Field(description="Grain size d")
    thickness: Length = Field(description="Grain-boundary thickness δ (δ < d)")
    conductivity: Conductivity = Field(description="Grain-boundary (specific) conductivity")
    permittivity: RelativePermittivity = Field(description="Grain-boundary permittivity εr")

    @model_validator(mode="after")
    def _thinner_than_grains(self) -> GrainBoundaries:
        if not self.thickness < self.grain_size:
            raise ValueError(
                "grain_boundaries.thickness must be < grain_boundaries.grain_size "
                f"(got {self.thickness:g} m >= {self.grain_size:g} m)"
            )
        return self


class Electrolyte(Material):
    """The solid electrolyte; with grain_boundaries, σ and εr are those of the grains."""

    preset: str | None = Field(
        None, description=f"Named material filling unset fields: {', '.join(presets.ELECTROLYTES)}"
    )
    grain_boundaries: GrainBoundaries | None = Field(
        None, description="Brick-layer grain boundaries (separate bulk and GB arcs)"
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_from_preset(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or raw.get("preset") is None:
            return raw
        name = raw["preset"]
        if name not in presets.ELECTROLYTES:
            raise ValueError(f"preset {name!r} is not one of {list(presets.ELECTROLYTES)}")
        return presets.merged(presets.ELECTROLYTES[name], raw)


class Materials(Model):
    electrolyte: Electrolyte
    pore: Material = Field(
        default_factory=lambda: Material(conductivity=0.0, permittivity=1.0),
        description="Filling of pores and gaps (vacuum by default)",
    )


class Interphase(ThermallyActivated):
    """A uniform layer (e.g. SEI) between electrolyte and working electrode, meshed as a volume."""

    thickness: Length
    conductivity: Conductivity
    permittivity: RelativePermittivity = 1.0


# --- interface kinetics -----------------------------------------------------------------------


class SurfaceLayer(ThermallyActivated):
    """A thin interphase on a contact as a surface admittance (σ + iωε0εr)/d, not meshed."""

    thickness: Length
    conductivity: Conductivity
    permittivity: RelativePermittivity = 1.0


class ContactKinetics(ThermallyActivated):
    """Charge transfer (R_ct ‖ C_dl) and an optional thin layer in series on a metal contact.

    R_ct and the exchange current density i0 are one parameter (R_ct = RT / (F i0 (αa + αc)),
    the small-signal limit of Butler–Volmer): give one. Its activation energy applies to i0.
    """

    metal: Literal["Na", "Li", "Cu", "Al"] | None = Field(
        None,
        description="Metal preset: Cu and Al block the ion (no charge transfer); Na|NZSP and "
        "Li|LLZO have a preset R_ct",
    )
    charge_transfer_resistance: AreaResistance | None = Field(
        None, description="R_ct (Ω·m²; e.g. '7 ohm*cm^2')"
    )
    exchange_current_density: ExchangeCurrentDensity | None = Field(
        None, description="Butler–Volmer exchange current density i0"
    )
    double_layer_capacitance: AreaCapacitance = Field(
        0.0, description="C_dl in parallel with R_ct (F/m²; e.g. '10 uF/cm^2')"
    )
    alpha_anodic: float = Field(0.5, gt=0, le=2, description="Anodic transfer coefficient αa")
    alpha_cathodic: float = Field(0.5, gt=0, le=2, description="Cathodic transfer coefficient αc")
    layer: SurfaceLayer | None = Field(
        None, description="Thin interphase (SEI) in series with the charge transfer"
    )

    @property
    def blocking(self) -> bool:
        return self.metal is not None and presets.METALS[self.metal]["blocking"]

    @model_validator(mode="after")
    def _consistent(self) -> ContactKinetics:
        given = [
            f
            for f in ("charge_transfer_resistance", "exchange_current_density")
            if getattr(self, f) is not None
        ]
        if len(given) == 2:
            raise ValueError(
                "give charge_transfer_resistance or exchange_current_density, not both "
                "(R_ct = RT/(F·i0·(αa+αc)))"
            )
        if self.blocking and given:
            raise ValueError(f"metal {self.metal} blocks the ion: it has no {given[0]}")
        if self.blocking and self.double_layer_capacitance == 0:
            raise ValueError(
                f"metal {self.metal} blocks the ion: give its double_layer_capacitance (> 0)"
            )
        return self


class Kinetics(Model):
    """Interface kinetics on the working-electrode contact and on the counter electrode."""

    we: ContactKinetics | None = Field(None, description="On we_contact (the WE metal|SE contact)")
    ce: ContactKinetics | None = Field(None, description="On ce (the counter electrode)")
