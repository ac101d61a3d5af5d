"""Who reads an object's change history, and what its labels reveal (issue 9, F12 and MLPS 三员分立):

- the audit administrator reads the full history (who, request id, values) of every object within its
  grant, on the page and through `/api/v1/<resource>/{id}/history`, though it may not open the objects;
- the system and security administrators read no history of others' records (nor the security log);
- a history label names a referenced object only when the reader may view it, else "#id", with one
  query per referenced model however many changes there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fuhua.accounts.roles import Role
from fuhua.core import services
from fuhua.core.context import acting_as
from fuhua.core.views.history import history_rows
from fuhua.registry.models import Carrier
from fuhua.testing import api_client, make_user, web_client

pytestmark = pytest.mark.django_db


def _history_url(carrier) -> str:
    return reverse("registry:carrier_history", kwargs={"pk": carrier.pk})


@pytest.fixture
def moved(world):
    """carrier_a handed to the Nanjing operator by the Jiangsu bureau (a Suzhou bureau cannot see op_b)."""
    with acting_as(world.users.bureau_js, source="web", request_id="req-moved"):
        world.carrier_a.operator = world.op_b
        world.carrier_a.save()
    return world.carrier_a


def test_the_audit_administrator_reads_full_history_it_cannot_otherwise_open(world, moved):
    auditor = make_user("auditor", Role.AUDIT_ADMIN)
    api = api_client(auditor)
    assert api.get(f"/api/v1/carriers/{moved.pk}").status_code == 403  # it audits, it does not work the records
    entries = api.get(f"/api/v1/carriers/{moved.pk}/history").json()["items"]
    move = next(e for e in entries if e["request_id"] == "req-moved")
    assert (move["username"], move["after"]["operator_id"]) == ("bureau_js", world.op_b.pk)
    page = web_client(auditor).get(_history_url(moved))
    assert page.status_code == 200 and "bureau_js" in page.content.decode()


def test_a_regional_audit_administrator_reads_history_only_within_its_region(world, moved):
    auditor = make_user("auditor_sz", Role.AUDIT_ADMIN, region=world.regions.sz)
    api = api_client(auditor)
    assert api.get(f"/api/v1/carriers/{moved.pk}/history").status_code == 200
    assert api.get(f"/api/v1/carriers/{world.carrier_b.pk}/history").status_code == 404  # Nanjing
    assert web_client(auditor).get(_history_url(world.carrier_b)).status_code == 404


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN])
def test_the_system_and_security_administrators_read_no_history(world, moved, role):
    admin = make_user("admin_x", role)
    assert api_client(admin).get(f"/api/v1/carriers/{moved.pk}/history").status_code == 403
    client = web_client(admin)
    assert client.get(_history_url(moved)).status_code == 403
    assert client.get(reverse("accounts:security_events")).status_code == 403


def test_history_labels_name_only_referenced_objects_the_reader_may_view(world, moved):
    html = web_client(world.users.bureau_sz).get(_history_url(moved)).content.decode()
    assert world.op_a.name in html  # Suzhou: in the Suzhou bureau's scope
    assert world.op_b.name not in html and f"#{world.op_b.pk}" in html  # Nanjing: its id only
    html = web_client(world.users.bureau_js).get(_history_url(moved)).content.decode()
    assert world.op_b.name in html and f"#{world.op_b.pk}" not in html  # the province sees both


def test_history_labels_take_one_query_per_referenced_model(world, moved):
    reader = world.users.bureau_js
    for operator in (world.op_a, world.op_b, world.op_a, world.op_b):  # 4 more changes, 2 organisations
        moved.operator = operator
        moved.save()
    changes = list(services.history(reader, Carrier.objects.get(pk=moved.pk))[:50])
    with CaptureQueriesContext(connection) as queries:
        rows = history_rows(Carrier, changes, reader)
    organisation_queries = [q for q in queries.captured_queries if 'FROM "registry_organisation"' in q["sql"]]
    assert len(organisation_queries) == 1
    labels = {value for _, fields in rows for _, before, after in fields for value in (before, after)}
    assert {world.op_a.name, world.op_b.name} <= labels
