"""samplers."""

__all__: list = []
