"""The cell and interface sections of the run config: what the geometry catalogue offers.

`interface.kind` selects the morphology of the metal|electrolyte interface (a discriminated
union, so each kind has only its own fields); `cell` selects the pellet or patch, the electrode
footprint and half-cell vs symmetric layout. The checks that need the cell and the interface
together (features outside the electrode, impossible counts, masks that are not binary) run
the same 2D planning step the builder uses (:mod:`eisfem.geometry.plan`), so a geometry that
passes validation is exactly the one that gets meshed, and a bad one is refused in
milliseconds with a line naming the field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from eisfem.config.base import Model
from eisfem.config.own_geometry import MeshCell, VolumeImage, check_own_geometry, resolve_path
from eisfem.config.units import Length, quantity

Fraction = quantity("dimensionless", gt=0, le=1, example="0.3")
Offset = quantity("m", ge=0, example="1 mm")
Density = quantity("1/m^2", gt=0, example="0.002 um^-2")

LAYOUT = (
    "half: working-electrode interface modelled, ideal counter electrode on the bottom face; "
    "symmetric: the counter-electrode interface carries the same features, mirrored"
)
GAP_MODEL = (
    "resolved: mesh the gaps as voids; thin: no gap volume, a surface admittance κ_gap/h(x, y) "
    "on the gap footprint (gaps with height ≪ width)"
)


# --- cell -------------------------------------------------------------------------------------


class PatchCell(Model):
    """A square representative patch of the interface; the side walls are mirror planes."""

    shape: Literal["patch"] = "patch"
    side: Length = Field(description="Side of the square patch (the electrode area is side²)")
    thickness: Length = Field(description="Electrolyte thickness between WE interface and CE")
    layout: Literal["half", "symmetric"] = Field("half", description=LAYOUT)


class CylinderCell(Model):
    """A whole cylindrical pellet; the electrode is a disk on its top face, possibly smaller
    than the pellet and off-centre (a static constriction)."""

    shape: Literal["cylinder"] = "cylinder"
    radius: Length = Field(description="Pellet radius")
    thickness: Length = Field(description="Pellet (electrolyte) thickness")
    layout: Literal["half", "symmetric"] = Field("half", description=LAYOUT)
    electrode_radius: Length | None = Field(
        None, description="Electrode radius (default: the pellet radius)"
    )
    electrode_offset: Offset = Field(
        0.0, description="Distance of the electrode centre from the pellet axis (along x)"
    )

    @model_validator(mode="after")
    def _electrode_on_pellet(self) -> CylinderCell:
        r = self.electrode_radius if self.electrode_radius is not None else self.radius
        if r + self.electrode_offset > self.radius * (1 + 1e-9):
            raise ValueError(
                "cell.electrode_radius + cell.electrode_offset must be <= cell.radius "
                f"(got {r:g} m + {self.electrode_offset:g} m > {self.radius:g} m)"
            )
        return self


Cell = Annotated[PatchCell | CylinderCell | MeshCell, Field(discriminator="shape")]


# --- interface morphologies -------------------------------------------------------------------


class FullContact(Model):
    """The metal touches the whole electrode area."""

    kind: Literal["full"] = "full"


class DiskContact(Model):
    """The metal touches only a centred disk, the rest of the face is bare (Newman's case)."""

    kind: Literal["disk"] = "disk"
    radius: Length = Field(description="Contact disk radius")


class DiskPattern(Model):
    """Disks on the interface (pores or contact spots): their size, number and placement.

    Lattices take a spacing and either a radius or an area fraction (which sets the radius);
    random placement takes a mean radius and either a count or an area fraction (radii are then
    scaled by one common factor so the drawn disks cover exactly that fraction).
    """

    radius: Length | None = Field(None, description="Disk radius (mean radius if random)")
    placement: Literal["single", "square", "hexagonal", "random"] = Field(
        "square", description="single disk at the electrode centre, lattice, or random"
    )
    spacing: Length | None = Field(None, description="Lattice spacing (centre to centre)")
    count: int | None = Field(None, ge=1, le=100_000, description="Number of random disks")
    area_fraction: Fraction | None = Field(
        None, description="Share of the electrode area covered by the disks"
    )
    distribution: Literal["fixed", "normal", "lognormal"] = Field(
        "fixed", description="Radius distribution of random disks"
    )
    radius_sd: Length | None = Field(
        None, description="Standard deviation of the radius (normal, lognormal)"
    )
    min_distance: Length | None = Field(
        None, description="Smallest gap between disk rims and to the electrode edge"
    )
    seed: int = Field(0, ge=0, description="Seed of the random placement and radii")

    @model_validator(mode="after")
    def _pattern_fields(self) -> DiskPattern:
        p = self.placement
        given = {
            name
            for name in ("radius", "spacing", "count", "area_fraction", "radius_sd")
            if getattr(self, name) is not None
        }
        needs = {
            "single": [("radius", "area_fraction")],
            "square": [("spacing",), ("radius", "area_fraction")],
            "hexagonal": [("spacing",), ("radius", "area_fraction")],
            "random": [("radius",), ("count", "area_fraction")],
        }[p]
        allowed = {n for group in needs for n in group} | (
            {"radius_sd"} if self.distribution != "fixed" else set()
        )
        for group in needs:
            chosen = given.intersection(group)
            if len(chosen) != 1:
                names = " or ".join(f"interface.{n}" for n in group)
                what = "exactly one of" if len(group) > 1 else ""
                raise ValueError(f"placement '{p}' needs {what} {names}".replace("  ", " "))
        if extra := sorted(given - allowed):
            raise ValueError(f"interface.{extra[0]} does not apply to placement '{p}'")
        if self.distribution != "fixed":
            if p != "random":
                raise ValueError("interface.distribution other than 'fixed' needs placement random")
            if self.radius_sd is None:
                raise ValueError(
                    f"interface.radius_sd is required for distribution '{self.distribution}'"
                )
        return self


class PoreArray(DiskPattern):
    """Voids between metal and electrolyte: the metal forms their roof and walls.

    cylinder: flat disc (meshed as structured layers); lens: spherical cap (the void left by
    stripping); ellipsoid: half-spheroid of semi-axes radius, radius, height.
    """

    kind: Literal["pores"] = "pores"
    shape: Literal["cylinder", "lens", "ellipsoid"] = Field(
        "cylinder", description="cylinder (flat disc), lens (spherical cap), ellipsoid"
    )
    height: Length = Field(description="Pore height (cap height for lens and ellipsoid)")
    gap_model: Literal["resolved", "thin"] = Field("resolved", description=GAP_MODEL)
    min_gap: Length = Field(
        1e-9, description="Floor of a thin-gap height map where it goes to 0 (cap rims)"
    )


class ContactSpots(DiskPattern):
    """The complement of pores: the metal touches only at spots, with a gap elsewhere."""

    kind: Literal["spots"] = "spots"
    height: Length = Field(description="Height of the gap between metal and electrolyte")
    gap_model: Literal["resolved", "thin"] = Field("resolved", description=GAP_MODEL)


class RoughSurface(Model):
    """A rough electrolyte surface pressed against flat metal: contact at the highest points.

    The surface is a seeded Gaussian random height field with a Gaussian autocorrelation
    exp(-r²/ℓ²) scaled to the given Ra; the metal plane sits `indentation` below the highest
    point (or where the requested contact fraction is reached). Valleys stay gaps of local
    height h(x, y) = plane - surface.
    """

    kind: Literal["rough"] = "rough"
    ra: Length = Field(description="Arithmetic mean roughness Ra of the electrolyte surface")
    correlation_length: Length = Field(description="Correlation length ℓ of the height field")
    seed: int = Field(0, ge=0, description="Seed of the height field")
    indentation: Length | None = Field(
        None, description="Depth of the metal plane below the highest point of the surface"
    )
    contact_fraction: Fraction | None = Field(
        None, description="Target contact fraction (instead of indentation)"
    )
    grid_step: Length | None = Field(
        None, description="Sampling step of the height field (default ℓ/8)"
    )
    gap_model: Literal["resolved", "thin"] = Field(
        "thin",
        description=GAP_MODEL + "; resolved valleys are flat voids of their mean depth",
    )
    min_gap: Length = Field(
        1e-9, description="Floor of the thin-gap height map at the contact edges"
    )

    @model_validator(mode="after")
    def _one_target(self) -> RoughSurface:
        if (self.indentation is None) == (self.contact_fraction is None):
            raise ValueError(
                "give exactly one of interface.indentation or interface.contact_fraction"
            )
        return self


class NucleiOption(Model):
    """Optional Na nuclei grown in the gaps of an anode-free cell.

    A nucleus is a Na cap that has grown from the electrolyte up to the collector. With a gap
    height far below the cap radius it fills the gap column above its base, so it is modelled
    as a metal pillar: a contact disk cut out of the gap (it may merge with the contact region
    it grew from). Centres are random (seeded) points in the gaps, nuclei do not overlap.
    """

    nuclei_radius: Length | None = Field(None, description="Radius of the Na nuclei")
    nuclei_density: Density | None = Field(
        None, description="Nuclei per electrode area (count = density × electrode area)"
    )

    @model_validator(mode="after")
    def _nuclei_pair(self) -> NucleiOption:
        if (self.nuclei_radius is None) != (self.nuclei_density is None):
            raise ValueError("interface.nuclei_radius and interface.nuclei_density go together")
        return self


class Filament(Model):
    """A metal filament grown into the electrolyte: a cylinder of the electrode metal from the
    electrode plane (its centre) down to `depth`; its wall and end face are electrode surfaces."""

    radius: Length = Field(description="Filament radius")
    depth: Length = Field(description="How far the filament reaches into the electrolyte")


class FilamentOption(Model):
    filament: Filament | None = Field(
        None, description="A penetrating metal filament under the electrode's centre"
    )


class CollectorGaps(NucleiOption, FilamentOption):
    """A flat current collector over the electrolyte (anode-free cell) with gap regions.

    stripes: gap stripes parallel to y of width `stripe_width` every `stripe_period`;
    patches: random gap patches, a thresholded seeded random field covering `gap_fraction`.
    (A measured gap map is `kind: image`, which takes the same nuclei options.)
    """

    kind: Literal["collector"] = "collector"
    pattern: Literal["stripes", "patches"] = Field(description="Shape of the gap regions")
    height: Length = Field(description="Gap height between collector and electrolyte")
    gap_model: Literal["resolved", "thin"] = Field("resolved", description=GAP_MODEL)
    stripe_width: Length | None = Field(None, description="Width of each gap stripe")
    stripe_period: Length | None = Field(None, description="Centre distance of the gap stripes")
    gap_fraction: Fraction | None = Field(None, description="Area share of the gap patches")
    correlation_length: Length | None = Field(
        None, description="Correlation length of the random field behind the patches"
    )
    seed: int = Field(0, ge=0, description="Seed of the patches and of the nuclei")

    @model_validator(mode="after")
    def _pattern_fields(self) -> CollectorGaps:
        needs = {
            "stripes": ("stripe_width", "stripe_period"),
            "patches": ("gap_fraction", "correlation_length"),
        }
        for pattern, names in needs.items():
            for name in names:
                is_set = getattr(self, name) is not None
                if pattern == self.pattern and not is_set:
                    raise ValueError(f"interface.{name} is required for pattern '{pattern}'")
                if pattern != self.pattern and is_set:
                    raise ValueError(f"interface.{name} does not apply to pattern '{self.pattern}'")
        if self.pattern == "stripes" and not self.stripe_width < self.stripe_period:
            raise ValueError(
                "interface.stripe_width must be < interface.stripe_period "
                f"(got {self.stripe_width:g} m >= {self.stripe_period:g} m)"
            )
        if self.pattern == "patches" and self.gap_fraction >= 1:
            raise ValueError("interface.gap_fraction must be < 1 (the collector must touch)")
        return self


class ImageContact(NucleiOption, FilamentOption):
    """A measured contact map: a binary PNG or .npy mask, centred on the electrode.

    Bright (larger) pixels are contact, dark pixels are gaps of the given height (`invert`
    swaps them); row 0 is the top edge (largest y). The image must cover the electrode.
    """

    kind: Literal["image"] = "image"
    path: str = Field(description="PNG or .npy mask (relative paths: to the config file)")
    pixel_size: Length = Field(description="Side of one pixel")
    invert: bool = Field(False, description="Dark pixels are contact instead of gaps")
    height: Length = Field(description="Height of the gaps")
    gap_model: Literal["resolved", "thin"] = Field("thin", description=GAP_MODEL)
    seed: int = Field(0, ge=0, description="Seed of the nuclei placement")

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str, info: ValidationInfo) -> str:
        return resolve_path(value, info, (".png", ".npy"), folder=False)


Interface = Annotated[
    FullContact
    | DiskContact
    | PoreArray
    | ContactSpots
    | RoughSurface
    | CollectorGaps
    | ImageContact
    | VolumeImage,
    Field(discriminator="kind"),
]


def check_geometry(cell: PatchCell | CylinderCell | MeshCell, interface: Model) -> None:
    """Refuse geometries that cannot be built, naming the fields involved (ValueError).

    Plans the interface in 2D (placements, masks, height fields): everything but OCC. A
    user's mesh is read and checked, an image stack loaded and placed: everything but gmsh.
    """
    from eisfem.geometry.morphologies import plan_interface

    if isinstance(cell, MeshCell) or isinstance(interface, VolumeImage):
        check_own_geometry(cell, interface)
    else:
        plan_interface(cell, interface)
