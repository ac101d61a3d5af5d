"""Django → rules engine: fill a `Population` from the registry and incubation models.

See `sources.py` for where each attribute of `rules/entities.py` comes from (and which ones wait for
the annual statistics and evaluations, issues #4/#5, and so take their declared default).
"""

from .population import Loaded, load_population
from .sources import SOURCES, UNAVAILABLE, source_of

__all__ = ["SOURCES", "UNAVAILABLE", "Loaded", "load_population", "source_of"]
