"""Core pages: search, region picker, and the generic scoped object views every app uses."""

from .regions import region_picker
from .search import search

__all__ = ["region_picker", "search"]
