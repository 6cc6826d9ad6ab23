"""What a user's own volume mesh is and how its regions map onto eisfem's roles.

Plain data, so the geometry layer never sees the config: the application layer fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eisfem.geometry import tags

Tag = int | str  # a region number (cell data) or a region name (field data or cell set)

VOLUME_ROLES = (tags.ELECTROLYTE, tags.PORE, tags.INTERPHASE)
SURFACE_ROLES = tags.SURFACE_GROUPS


@dataclass
class UserMeshSpec:
    """A volume mesh file readable by meshio, with its regions mapped onto eisfem's roles.

    ``volumes`` maps volume roles (electrolyte, pore, interphase) to the region tags that
    make them up; every tetrahedron must get exactly one role. ``surfaces`` maps surface roles
    (we_contact, we_metal, ce, ...) to tagged triangles on the mesh boundary; exterior faces
    without a role are insulating, and faces between pore and electrolyte are found by
    themselves (pore_floor). ``unit`` is the length of one mesh unit in metres.
    """

    path: Path
    unit: float
    volumes: dict[str, list[Tag]]
    surfaces: dict[str, list[Tag]]
    tag_field: str | None = None  # cell-data array with the region numbers (None: guess)
    electrode_area: float | None = None  # m²; None: WE surfaces projected on the xy plane
    gap_height: float | None = None  # m, height of thin gaps tagged we_gap / ce_gap
    where: str = "cell"  # config section named in error messages
