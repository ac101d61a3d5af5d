"""A carrier's operating status changes only by its workflow: bureau staff suspend, resume or close it with a
reason, on the page or through the API; the edit form and the API's input have no status."""

import pytest
from django.urls import reverse

from fuhua.core.models import ObjectChange
from fuhua.core.workflow import FORBIDDEN, INVALID
from fuhua.registry.forms import CarrierForm
from fuhua.registry.models import Carrier
from fuhua.registry.workflow import CARRIER_WORKFLOW
from fuhua.testing import api_client as api

pytestmark = pytest.mark.django_db


def test_the_status_is_not_a_form_field():
    assert "status" not in CarrierForm.base_fields


def test_who_may_change_the_status(world):
    carrier = world.carrier_a
    assert [t.name for t in CARRIER_WORKFLOW.available(world.users.bureau_sz, carrier)] == ["suspend", "close"]
    assert CARRIER_WORKFLOW.can(world.users.operator_a, carrier, "suspend").code == FORBIDDEN
    assert CARRIER_WORKFLOW.can(world.users.bureau_sz, carrier, "suspend", reason="").code == INVALID
    assert CARRIER_WORKFLOW.available(world.users.operator_a, carrier) == []


def test_bureau_suspends_on_the_page_with_the_reason_audited(client, world):
    client.force_login(world.users.bureau_sz)
    url = reverse("registry:carrier_detail", kwargs={"pk": world.carrier_a.pk})
    assert 'name="transition" value="suspend"' in client.get(url).content.decode()
    step = reverse("registry:carrier_transition", kwargs={"pk": world.carrier_a.pk})
    client.post(step, {"transition": "suspend", "reason": ""})
    assert Carrier.objects.get(pk=world.carrier_a.pk).status == "operating"  # a reason is required
    assert client.post(step, {"transition": "suspend", "reason": "场地整改"}).status_code == 302
    assert Carrier.objects.get(pk=world.carrier_a.pk).status == "suspended"
    change = ObjectChange.objects.filter(object_id=str(world.carrier_a.pk), action="update",
                                         content_type__model="carrier").latest("id")
    assert change.reason == "场地整改" and change.username == "bureau_sz"


def test_operators_see_no_buttons_and_cannot_post_a_step(client, world):
    client.force_login(world.users.operator_a)
    url = reverse("registry:carrier_detail", kwargs={"pk": world.carrier_a.pk})
    assert 'name="transition"' not in client.get(url).content.decode()
    step = reverse("registry:carrier_transition", kwargs={"pk": world.carrier_a.pk})
    client.post(step, {"transition": "close", "reason": "不干了"})
    assert Carrier.objects.get(pk=world.carrier_a.pk).status == "operating"


def test_the_api_takes_steps_and_refuses_status_as_input(world):
    bureau, operator = api(world.users.bureau_sz), api(world.users.operator_a)
    base = f"/api/v1/carriers/{world.carrier_a.pk}"
    assert bureau.patch(base, {"status": "closed"}, content_type="application/json").status_code == 422
    assert [t["name"] for t in bureau.get(f"{base}/transitions").json()] == ["suspend", "close"]
    assert operator.post(f"{base}/transitions/close", {"reason": "x"}, content_type="application/json"
                         ).status_code == 403
    done = bureau.post(f"{base}/transitions/close", {"reason": "运营主体注销"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "closed"
    again = bureau.post(f"{base}/transitions/resume", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409
    assert bureau.post(f"{base}/transitions/fly", {}, content_type="application/json").status_code == 404
