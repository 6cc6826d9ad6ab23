"""The run configuration: a pydantic schema for the YAML files users write.

One config describes one run: the cell, the interface morphology, the materials, the mesh
resolution, the solver and the frequencies. Quantities may carry units ("5.5 mS/cm"); after
validation every field holds SI values, and ``resolved_dict`` echoes them into the run folder.
Geometric consistency (pores that overlap, a contact larger than the electrode) is checked here,
before any meshing, so a bad config fails in milliseconds with a line naming the field.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from eisfem.config.base import Model
from eisfem.config.cell import Cell, FullContact, Interface, check_geometry
from eisfem.config.materials import (
    ROOM_TEMPERATURE,
    ContactKinetics,
    Interphase,
    Kinetics,
    Materials,
    Temperature,
)
from eisfem.config.numerics import (
    AccuracySettings,
    DCSettings,
    FitSettings,
    FocusingSettings,
    FrequencyRange,
    MeshSettings,
    OutputSettings,
    SolverSettings,
)
from eisfem.solvers import presets


class RunConfig(Model):
    """One eisfem run."""

    name: str = Field("run", min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    cell: Cell
    interface: Interface = Field(default_factory=FullContact)
    interphase: Interphase | None = None
    materials: Materials
    temperature: Temperature = Field(ROOM_TEMPERATURE, description="Cell temperature")
    kinetics: Kinetics = Field(default_factory=Kinetics)
    dc: DCSettings | None = None
    focusing: FocusingSettings = Field(default_factory=FocusingSettings)
    mesh: MeshSettings = Field(default_factory=MeshSettings)
    solver: SolverSettings = Field(default_factory=SolverSettings)
    accuracy: AccuracySettings = Field(default_factory=AccuracySettings)
    frequencies: FrequencyRange = Field(default_factory=FrequencyRange)
    output: OutputSettings = Field(default_factory=OutputSettings)
    fit: FitSettings = Field(default_factory=FitSettings)

    @model_validator(mode="after")
    def _geometry_fits(self) -> RunConfig:
        check_geometry(self.cell, self.interface)
        return self

    @model_validator(mode="after")
    def _kinetics_complete(self) -> RunConfig:
        check_kinetics(self)
        return self

    def resolved_dict(self) -> dict[str, Any]:
        """All fields with defaults filled in, quantities in SI units."""
        return self.model_dump(mode="json")


def check_kinetics(cfg: RunConfig) -> None:
    """Fill R_ct of known metal|electrolyte pairs; refuse contacts that would do nothing."""
    electrolyte = cfg.materials.electrolyte.preset
    for side in ("we", "ce"):
        k: ContactKinetics | None = getattr(cfg.kinetics, side)
        if k is None:
            continue
        field = f"kinetics.{side}"
        rate_given = k.charge_transfer_resistance or k.exchange_current_density
        if k.metal is not None and not k.blocking and not rate_given:
            pair = (k.metal, electrolyte)
            if pair not in presets.CHARGE_TRANSFER_RESISTANCE:
                raise ValueError(
                    f"{field}: no preset R_ct for {k.metal}|{electrolyte or 'this electrolyte'}; "
                    "give charge_transfer_resistance or exchange_current_density"
                )
            k.charge_transfer_resistance = presets.CHARGE_TRANSFER_RESISTANCE[pair]
        elif not rate_given and not k.blocking:
            if k.double_layer_capacitance > 0:
                raise ValueError(
                    f"{field}.double_layer_capacitance needs charge_transfer_resistance or "
                    "exchange_current_density (or a metal preset that sets one)"
                )
            if k.layer is None:
                raise ValueError(
                    f"{field}: give charge_transfer_resistance, exchange_current_density, a "
                    "blocking metal (Cu, Al) or a layer"
                )
    if cfg.dc is not None:
        for side in ("we", "ce"):
            k = getattr(cfg.kinetics, side)
            if k is not None and k.blocking:
                raise ValueError(
                    f"dc: kinetics.{side}.metal {k.metal} blocks the ion, so no DC current flows"
                )
            if k is not None and k.layer is not None and cfg.dc.kinetics == "butler_volmer":
                raise ValueError(
                    f"dc.kinetics butler_volmer cannot take kinetics.{side}.layer in series; use "
                    "dc.kinetics linear, or model the layer as the meshed `interphase`"
                )
