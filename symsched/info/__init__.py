"""Information measures: entropy and information profiles, TC, DTC, O-information."""

from .profile import InformationProfile, as_profile

__all__ = ["InformationProfile", "as_profile"]
