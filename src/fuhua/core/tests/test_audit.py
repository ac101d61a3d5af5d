"""The audit trail: every model of Fuhua (and the auth accounts) is audited, really records create,
update and delete with who, which request, before and after; retention is pruned but never below
six months.

FACTORIES must name a way to create every audited model: a new model fails here until it has one.
"""

import datetime
import importlib
import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from fuhua import testing
from fuhua.accounts.models import AccountProfile, ApiToken, RoleGrant
from fuhua.core.audit import NOT_AUDITED, audited_models, is_audited, prune_audit_trail, snapshot
from fuhua.core.context import acting_as
from fuhua.core.models import ObjectChange
from fuhua.core.tasks import prune_audit
from fuhua.evaluation.testing import audit_factories as evaluation_factories
from fuhua.incubation.models import Incubation
from fuhua.policies.testing import audit_factories as policy_factories
from fuhua.registry.models import (
    AssociationMembership,
    FirmDesignation,
    InvestorProfile,
    MentorProfile,
    Recognition,
    Region,
    StartupTeam,
)
from fuhua.registry.tests.test_api_registry import CHANGES, valid_payloads
from fuhua.statistics.testing import audit_factories as statistics_factories

D = datetime.date


@dataclass(frozen=True)
class Factory:
    create: Callable  # world -> a new, unreferenced instance
    change: dict  # attribute -> new value, for the update


FACTORIES: dict[str, Factory] = {
    "auth.user": Factory(lambda w: testing.make_user("audited"), {"email": "new@example.cn"}),
    "auth.group": Factory(lambda w: Group.objects.create(name="审核组"), {"name": "审核二组"}),
    "accounts.rolegrant": Factory(
        lambda w: RoleGrant.objects.create(user=w.users.nobody, role="bureau", region=w.regions.sz),
        {"region_id": "320100"}),
    "accounts.apitoken": Factory(lambda w: ApiToken.issue(w.users.nobody, "t")[0], {"name": "t2"}),
    "accounts.accountprofile": Factory(
        lambda w: AccountProfile.objects.get(user=testing.make_user("profiled")), {"must_change_password": False}),
    "registry.region": Factory(
        lambda w: Region.objects.create(code="320598", name="测试区", level="county", parent=w.regions.sz),
        {"name": "测试新区"}),
    "registry.organisation": Factory(lambda w: testing.organisation("审计测试有限公司", w.regions.sz),
                                     {"legal_representative": "王五"}),
    "registry.carrier": Factory(lambda w: testing.carrier("审计孵化器", w.op_a, w.regions.sip), {"address": "星湖街"}),
    "registry.associationmembership": Factory(
        lambda w: AssociationMembership.objects.create(
            association=w.assoc, carrier=w.carrier_b, joined_on=D(2020, 1, 1)),
        {"joined_on": D(2021, 1, 1)}),
    "registry.recognition": Factory(
        lambda w: Recognition.objects.create(
            carrier=w.carrier_b, level="municipal", kind="recognition", carrier_kind="maker_space",
            authority="南京市科学技术局", document_number="宁科〔2021〕9号", granted_on=D(2021, 3, 1)),
        {"valid_until": D(2024, 3, 1)}),
    "registry.firm": Factory(lambda w: testing.firm("审计科技有限公司", w.regions.sip), {"size_class": "small"}),
    "registry.firmdesignation": Factory(
        lambda w: FirmDesignation.objects.create(firm=w.firm_a, kind="gazelle", granted_on=D(2024, 1, 1)),
        {"certificate_number": "DL2024001"}),
    "registry.startupteam": Factory(
        lambda w: StartupTeam.objects.create(name="审计团队", leader="钱七", industry_field="ai",
                                             formed_on=D(2024, 1, 1), region=w.regions.sip),
        {"members": 3}),
    "registry.mentorprofile": Factory(
        lambda w: MentorProfile.objects.create(name="孙老师", industry_field="ai", region=w.regions.sz),
        {"title": "教授"}),
    "registry.investorprofile": Factory(
        lambda w: InvestorProfile.objects.create(name="周总", institution=w.fund, focus_field="ai",
                                                 region=w.regions.sz),
        {"position": "合伙人"}),
    "incubation.incubation": Factory(
        lambda w: Incubation.objects.create(firm=w.firm_b, carrier=w.carrier_a, applied_on=D(2024, 1, 1)),
        {"applied_on": D(2024, 2, 1)}),
    **{label: Factory(*spec) for label, spec in policy_factories().items()},
    **{label: Factory(*spec) for label, spec in evaluation_factories().items()},
    **{label: Factory(*spec) for label, spec in statistics_factories().items()},
}

# The service, network and regional apps (and the registry's expert pool) contribute theirs from their own
# testing.py — audit_factories() or AUDIT_FACTORIES, label → (create(world), change) — so that a new app
# touches no shared file.
for _app in ("registry", "marketplace", "vouchers", "desk", "mentoring", "events", "dealflow", "steering",
             "federation", "demands"):
    if importlib.util.find_spec(f"fuhua.{_app}") is None or importlib.util.find_spec(f"fuhua.{_app}.testing") is None:
        continue
    _testing = importlib.import_module(f"fuhua.{_app}.testing")
    _specs = _testing.audit_factories() if hasattr(_testing, "audit_factories") else getattr(
        _testing, "AUDIT_FACTORIES", {})
    FACTORIES.update({label: Factory(*spec) for label, spec in _specs.items()})
# Apps whose test helpers live beside their data contribute their factories here.
FACTORIES.update({label: Factory(f.create, f.change) for label, f in testing.RULES_FACT_FACTORIES.items()})

AUDITED = sorted(m._meta.label_lower for m in audited_models())


def test_every_model_of_fuhua_and_the_accounts_is_audited():
    for model in apps.get_models():
        label = model._meta.label_lower
        ours = model._meta.app_config.name.startswith("fuhua.") or label in {"auth.user", "auth.group"}
        if ours and label not in NOT_AUDITED:
            assert is_audited(model), f"{label} is not audited"
    assert not is_audited(ObjectChange)


def test_every_audited_model_has_a_factory():
    missing = sorted(set(AUDITED) - set(FACTORIES))
    assert not missing, f"add these models to FACTORIES in {__name__}: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("label", AUDITED)
def test_create_update_delete_are_recorded(world, label):
    if label not in FACTORIES:
        pytest.fail(f"{label} has no factory in FACTORIES")
    factory = FACTORIES[label]
    actor = world.users.bureau_js
    with acting_as(actor, source="test", request_id=f"req-{label}") as context:
        obj = factory.create(world)
        created = snapshot(obj)
        for attr, value in factory.change.items():
            setattr(obj, attr, value)
        obj.save()
        updated = snapshot(obj)
        pk = obj.pk
        obj.delete()
    rows = list(ObjectChange.objects.filter(request_id=context.request_id, content_type__model=obj._meta.model_name,
                                            object_id=str(pk)).order_by("id"))
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert all(r.user_id == actor.pk and r.username == "bureau_js" and r.source == "test" for r in rows)
    create, update, delete = rows
    assert (create.before, create.after) == (None, created)
    assert (update.before, update.after) == (created, updated)
    assert {name for name, _, _ in update.changed_fields} == set(factory.change)
    assert (delete.before, delete.after) == (updated, None)


@pytest.mark.django_db
def test_many_to_many_changes_are_recorded(world):
    with acting_as(world.users.admin, source="test"):
        world.mentor_a.carriers.add(world.carrier_b)
    row = ObjectChange.objects.filter(content_type__model="mentorprofile", object_id=str(world.mentor_a.pk)).first()
    assert row.after == {"carriers": {"added": [world.carrier_b.pk]}} and row.username == "admin"


@pytest.mark.django_db
@pytest.mark.parametrize("resource", sorted(CHANGES))
@override_settings(TRUSTED_PROXIES=["127.0.0.1/32"])  # the test client's address: a trusted proxy here
def test_api_writes_carry_the_user_and_request_id(world, resource):
    user = world.users.admin
    client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(user, 'audit')[1]}"})
    created = client.post(f"/api/v1/{resource}", valid_payloads(world)[resource], content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    field, value = CHANGES[resource]
    # A trusted proxy's request id is kept; otherwise the server makes one. Either way it is answered.
    changed = client.patch(f"/api/v1/{resource}/{pk}", {field: value}, content_type="application/json",
                           headers={"X-Request-ID": f"proxy-{resource}-0001"})
    deleted = client.delete(f"/api/v1/{resource}/{pk}")
    assert changed["X-Request-ID"] == f"proxy-{resource}-0001"
    for response, action in [(created, "create"), (changed, "update"), (deleted, "delete")]:
        rows = ObjectChange.objects.filter(request_id=response["X-Request-ID"], object_id=str(pk), action=action)
        assert rows.exists(), (action, response["X-Request-ID"])
        for row in rows:
            assert (row.user_id, row.username, row.source) == (user.pk, "admin", "api")
    update = ObjectChange.objects.get(request_id=f"proxy-{resource}-0001", action="update")
    assert field in {name.removesuffix("_id") for name, _, _ in update.changed_fields}


@pytest.mark.django_db
def test_refused_writes_leave_no_trace(world):
    client = Client(headers={"Authorization": f"Bearer {ApiToken.issue(world.users.bureau_nj, 'x')[1]}"})
    before = ObjectChange.objects.count()
    payload = {**valid_payloads(world)["carriers"], "operator": world.op_b.pk}  # refused for its Suzhou region
    response = client.post("/api/v1/carriers", payload, content_type="application/json")
    assert response.status_code == 403
    assert not ObjectChange.objects.filter(request_id=response["X-Request-ID"]).exists()
    assert ObjectChange.objects.count() == before


# --- retention -----------------------------------------------------------------------------------


def _entries(world, ages_in_days) -> list[int]:
    """Audit entries of the given ages (the trail is append-only: the world's own entries stay, all recent)."""
    change = ObjectChange.objects.first()
    now = timezone.now()
    return [ObjectChange.objects.create(time=now - datetime.timedelta(days=days), username="x", source="test",
                                        action="update", content_type=change.content_type, object_id="1",
                                        object_repr="x").pk
            for days in ages_in_days]


@pytest.mark.django_db
@override_settings(AUDIT_RETENTION_DAYS=200)
def test_prune_command_keeps_the_retention_period(world):
    ids = _entries(world, [400, 201, 199, 1])
    out = io.StringIO()
    call_command("prune_audit", stdout=out)
    assert "Deleted 2" in out.getvalue()
    assert ObjectChange.objects.filter(pk__in=ids).count() == 2


@pytest.mark.django_db
@override_settings(AUDIT_RETENTION_DAYS=200)
def test_prune_task(world):
    first = _entries(world, [400, 10])
    assert prune_audit.call() == 1
    second = _entries(world, [400, 300, 10])
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        result = prune_audit.enqueue()
    assert result.return_value == 2 and ObjectChange.objects.filter(pk__in=first + second).count() == 2


@pytest.mark.django_db
def test_prune_function_takes_a_moment(world):
    _entries(world, [300])
    with override_settings(AUDIT_RETENTION_DAYS=365):
        assert prune_audit_trail() == 0
        assert prune_audit_trail(now=timezone.now() + datetime.timedelta(days=100)) == 1


@pytest.mark.parametrize(("days", "refused"), [(182, True), (183, False), (365, False)])
def test_system_check_refuses_short_retention(days, refused):
    with override_settings(AUDIT_RETENTION_DAYS=days):
        ids = {message.id for message in run_checks()}
    assert ("fuhua.E001" in ids) == refused
