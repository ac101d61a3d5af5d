"""Django → rules engine: fill a `Population` from the sources that apps register (attributes.py).

The adapter imports no app: the registry registers carriers and firms, incubation its records and the
tenant counts, statistics the reported years and figures, evaluation the published grades. `sources.py`
lists what no app provides (the engine then takes the attribute's declared default).
"""

from .attributes import SOURCES, register_attribute_source, register_entity
from .population import Loaded, load_population
from .sources import UNAVAILABLE, source_of

__all__ = ["SOURCES", "UNAVAILABLE", "Loaded", "load_population", "register_attribute_source", "register_entity",
           "source_of"]
