"""The base class of every config section (kept apart so section modules can share it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of all config sections: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")
