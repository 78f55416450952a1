"""export."""

__all__: list = []
