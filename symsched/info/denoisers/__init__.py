"""Profiles from denoisers: any model of the conditionals, exact and torch masked language models."""
