"""Exact routes: entropy profiles by subsets, structure, junction trees, elimination; the interaction split."""
