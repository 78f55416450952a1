"""Schedules: the Schedule type, families, exact expected KL, optimal schedules, literature bounds."""

from .schedule import Schedule

__all__ = ["Schedule"]
