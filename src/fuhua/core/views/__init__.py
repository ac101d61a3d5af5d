"""The generic scoped object views every app uses (generic.py) and an object's history (history.py).

Search and the region picker are the registry's pages (registry/views/search.py, regions.py)."""
