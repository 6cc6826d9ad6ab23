"""One planner per interface kind: each turns its config section into an InterfacePlan."""

from __future__ import annotations

from typing import Any

from eisfem.geometry.placement import Electrode
from eisfem.geometry.plan import InterfacePlan


def plan_morphology(electrode: Electrode, interface: Any) -> InterfacePlan:
    """Dispatch on ``interface.kind``."""
    from eisfem.geometry.morphologies import collector, disks, image, rough

    planners = {
        "full": disks.plan_full,
        "disk": disks.plan_disk,
        "pores": disks.plan_pores,
        "spots": disks.plan_spots,
        "rough": rough.plan_rough,
        "collector": collector.plan_collector,
        "image": image.plan_image,
    }
    return planners[interface.kind](electrode, interface)
