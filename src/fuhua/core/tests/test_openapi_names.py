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


def test_the_document_is_built_once_per_process_and_each_caller_gets_its_own_copy(monkeypatch):
    # Building it costs seconds (~430 operations): the view's own prefix ("/api/v1/") and the tests' ("/api/v1")
    # give the same document, built once.
    from ninja import NinjaAPI

    from fuhua.api import api

    monkeypatch.setattr(api, "_openapi_documents", {}, raising=False)
    built = []
    real = NinjaAPI.get_openapi_schema
    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", lambda self, **kw: built.append(kw) or real(self, **kw))
    first = api.get_openapi_schema()
    second = api.get_openapi_schema(path_prefix="/api/v1")
    assert len(built) == 1 and first == second and "/api/v1/me" in first["paths"]
    second["paths"].clear()  # a caller that changes its copy changes no one else's
    assert "/api/v1/me" in api.get_openapi_schema()["paths"]
