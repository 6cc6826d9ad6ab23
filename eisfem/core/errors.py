"""User-facing errors: each carries one line that names the file or field and what is allowed.

The CLI prints ``str(error)`` and exits; anything else escaping is a bug and keeps its traceback.
"""

from __future__ import annotations


class EisfemError(Exception):
    """Base of the errors a user can cause (bad config, impossible geometry, failed solve)."""


class ConfigError(EisfemError):
    """The config file or an override is malformed, has unknown fields or values out of range."""


class GeometryError(EisfemError):
    """The requested geometry cannot be built (overlaps, features outside the electrode, ...)."""


class SolverError(EisfemError):
    """The linear solver failed (singular system, out of memory); the message says which."""
