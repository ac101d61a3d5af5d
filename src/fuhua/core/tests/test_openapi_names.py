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


def test_every_operation_id_is_unique():
    # django-ninja only prints a warning when two operations share an id (two apps' models of one name, e.g.
    # policies.Application and events.Application): clients generated from the document would lose one.
    from collections import Counter

    from fuhua.api import api

    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    ids = Counter(op["operationId"] for ops in paths.values() for op in ops.values())
    assert not [name for name, n in ids.items() if n > 1]
    assert len(ids) > 400
