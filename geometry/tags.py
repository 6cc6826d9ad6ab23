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
CE = "ce"  # counter electrode (its contact with the electrolyte)
CE_METAL = "ce_metal"  # counter-electrode metal facing a pore or gap (symmetric cells)
WE_GAP = "we_gap"  # footprint of a thin gap under the WE, not meshed: a surface admittance
CE_GAP = "ce_gap"  # the same under the counter electrode (symmetric cells)
INSULATING = "insulating"  # every other outer surface (natural boundary condition)

# Interior surfaces, tagged for post-processing (current through the pore floors)
PORE_FLOOR = "pore_floor"
CE_PORE_FLOOR = "ce_pore_floor"  # the same under the counter electrode (symmetric cells)

SURFACE_GROUPS = (
    WE_CONTACT,
    WE_METAL,
    WE_GAP,
    CE,
    CE_METAL,
    CE_GAP,
    INSULATING,
    PORE_FLOOR,
    CE_PORE_FLOOR,
)

# Metal surfaces of each electrode: Dirichlet unless the solver puts a Robin condition on them
WE_SURFACES = (WE_CONTACT, WE_METAL)
CE_SURFACES = (CE, CE_METAL)

# Thin-gap footprints: the bundle carries their height map h(x, y)
GAP_SURFACES = {WE_GAP: "we", CE_GAP: "ce"}
