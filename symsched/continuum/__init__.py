"""continuum."""

__all__: list = []
