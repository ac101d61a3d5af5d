"""Core pages: the dashboard, search, region picker, and the generic scoped object views every app uses."""

from .dashboard import dashboard
from .regions import region_picker
from .search import search

__all__ = ["dashboard", "region_picker", "search"]
