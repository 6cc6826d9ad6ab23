"""The physical-group contract between geometry and solver: names, not numbers, are the API.

Every builder tags its gmsh model with these names; the solver looks groups up by name in the
MeshBundle. Volume groups partition the mesh (DOLFINx requires every cell tagged exactly once).
"""

from __future__ import annotations

# Volumes
ELECTROLYTE = "electrolyte"
PORE = "pore"  # dielectric voids and gaps between metal and electrolyte
INTERPHASE = "interphase"  # uniform layer (SEI) between electrolyte and working electrode

# Exterior surfaces
WE_CONTACT = "we_contact"  # electrolyte (or interphase) touching the working-electrode metal
WE_METAL = "we_metal"  # working-electrode metal facing a pore or gap (roofs and walls)
CE = "ce"  # counter electrode
INSULATING = "insulating"  # every other outer surface (natural boundary condition)

# Interior surfaces, tagged for post-processing (current through the pore floors)
PORE_FLOOR = "pore_floor"

VOLUME_GROUPS = (ELECTROLYTE, PORE, INTERPHASE)
SURFACE_GROUPS = (WE_CONTACT, WE_METAL, CE, INSULATING, PORE_FLOOR)

# Surfaces held at the working-electrode potential
WE_SURFACES = (WE_CONTACT, WE_METAL)
