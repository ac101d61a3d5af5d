"""The OpenAPI document names each request and answer schema once: django-ninja files schemas under their
class name, so two `ApplicationIn` classes in two apps would silently share one description."""

from collections import defaultdict

from ninja import Schema

import fuhua.api  # noqa: F401  (imports every app's schemas)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_api_schema_class_name_is_unique():
    where = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("fuhua."):
            where[cls.__name__].add(cls.__module__)
    clashes = {name: sorted(modules) for name, modules in where.items() if len(modules) > 1}
    assert not clashes, clashes
