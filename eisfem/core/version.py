"""The installed eisfem version (from the package metadata, i.e. pyproject.toml)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def eisfem_version() -> str:
    try:
        return version("eisfem")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"
