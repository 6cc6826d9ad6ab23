"""Inverse problems: from a measured spectrum back to the morphology (``eisfem fit``)."""
