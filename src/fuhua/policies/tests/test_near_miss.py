"""Near-miss notices (政策推送) for carrier operators and persons, like firms get them: when an operator or person
policy is published, or an operator's or a founder's data changes, the newly close ones are told the smallest
missing condition — an operator itself, a founder through the founder's firm, a team's founder through the host
carrier's operator — once per policy; others never see the notice."""

import datetime

import pytest

from fuhua.policies import services
from fuhua.policies.models import Entitlement, FitNotice, Notification
from fuhua.registry.models import Carrier, Founder, Organisation, Recognition
from fuhua.testing import api_client as api
from fuhua.testing import credit_code

D = datetime.date
AS_OF = D(2025, 12, 31)
OPERATORS, PERSONS = "suzhou-2021-brand-operators", "jiangsu-2021-phd-founders"
UPPER = "运营的载体中至少一家获省级及以上认定"


def op_user(world, organisation):
    from fuhua.accounts.roles import Role
    from fuhua.testing import make_user

    return make_user("operator_c", Role.OPERATOR, organisation=organisation)


def _operator_with_municipal_carrier(world, name: str) -> tuple[Organisation, Carrier]:
    op = Organisation.objects.create(name=name, credit_code=credit_code(world.regions.sz.code), kind="enterprise",
                                     region=world.regions.sz)
    carrier = Carrier.objects.create(name=f"{name}众创空间", operator=op, region=world.regions.sz, kind="maker_space",
                                     established=D(2018, 1, 1), incubation_area_m2=2000, tenant_area_m2=1500,
                                     workstations=120)
    Recognition.objects.create(carrier=carrier, level="municipal", kind="filing", carrier_kind="maker_space",
                               authority="苏州市科学技术局", document_number=f"苏科〔2020〕{carrier.pk}号",
                               granted_on=D(2020, 5, 1))
    return op, carrier


@pytest.mark.django_db
def test_publishing_an_operator_policy_tells_the_close_operator_once(world):
    services.sync_policies()
    op_c, _carrier = _operator_with_municipal_carrier(world, "苏州创客工场运营管理有限公司")
    done = services.publish(world.users.bureau_sz, OPERATORS, AS_OF)
    assert done["close"] == 1
    notice = FitNotice.objects.get(policy__code=OPERATORS)
    assert (notice.organisation_id, notice.firm_id, notice.person_id, notice.fit, notice.missing) == (
        op_c.pk, None, None, "close", UPPER)
    note = Notification.objects.get(organisation=op_c, policy__code=OPERATORS)
    assert UPPER in note.message
    # told once: a change that leaves it close tells it nothing more
    assert services.operator_changed(op_c.pk, AS_OF) == {"entitlements": 0, "close": 0}
    # scoped: the operator reads the notification, another operator does not; the bureaus see the notice by city
    # (operators read notifications; the notice itself is the push's record of what was told)
    url = f"/api/v1/notifications/{note.pk}"
    assert api(world.users.operator_b).get(url).status_code == 404
    assert api(op_user(world, op_c)).get(url).status_code == 200
    assert api(world.users.bureau_nj).get(f"/api/v1/fit-notices/{notice.pk}").status_code == 404
    assert api(world.users.bureau_sz).get(f"/api/v1/fit-notices/{notice.pk}").status_code == 200


@pytest.mark.django_db
def test_an_operators_data_change_pushes_its_operator_policies(world, django_capture_on_commit_callbacks):
    services.sync_policies()
    services.publish(world.users.bureau_sz, OPERATORS, AS_OF)
    # a new Suzhou operator whose carrier has only a municipal recognition: close, told by the push on its carrier
    with django_capture_on_commit_callbacks(execute=True):
        op_d, carrier = _operator_with_municipal_carrier(world, "苏州启航孵化器运营有限公司")
    notice = FitNotice.objects.get(organisation=op_d)
    assert (notice.fit, notice.missing) == ("close", UPPER)
    # its carrier recognised at provincial level in 2025: the push makes it entitled
    with django_capture_on_commit_callbacks(execute=True):
        Recognition.objects.create(carrier=carrier, level="provincial", kind="filing", carrier_kind="maker_space",
                                   authority="江苏省科学技术厅", document_number="苏科高发〔2025〕9号",
                                   granted_on=D(2025, 6, 1))
    e = Entitlement.objects.get(operator=op_d)
    assert (e.amount_fen, e.status) == (5_000_000, "proposed")


@pytest.mark.django_db
def test_a_close_founder_is_told_through_the_firm_and_a_team_founder_through_the_host(
        world, django_capture_on_commit_callbacks):
    services.sync_policies()
    founder_b = Founder.objects.create(name="刘创", firm=world.firm_b, education="master")
    done = services.publish(world.users.bureau_js, PERSONS, AS_OF)
    assert done["close"] >= 1
    notice = FitNotice.objects.get(person=founder_b)
    assert (notice.firm_id, notice.organisation_id, notice.fit, notice.missing) == (
        world.firm_b.pk, None, "close", "具有博士学位")
    note = Notification.objects.get(firm=world.firm_b, policy__code=PERSONS)
    assert "刘创" in note.message and "具有博士学位" in note.message
    assert api(world.users.firm_a).get(f"/api/v1/fit-notices/{notice.pk}").status_code == 404
    assert api(world.users.firm_b).get(f"/api/v1/fit-notices/{notice.pk}").status_code == 200
    # a second founder of the same firm, also close: told separately (one notice per person)
    with django_capture_on_commit_callbacks(execute=True):
        second = Founder.objects.create(name="周研", firm=world.firm_b, education="master")
    assert FitNotice.objects.filter(person=second, firm=world.firm_b, fit="close").count() == 1
    # a team's founder (the team hosted by carrier_b): its near miss goes to the host carrier's operator
    with django_capture_on_commit_callbacks(execute=True):
        member = Founder.objects.create(name="钱硕", team=world.team_b, education="master")
    notice = FitNotice.objects.get(person=member)
    assert (notice.firm_id, notice.organisation_id) == (None, world.op_b.pk)
    assert Notification.objects.filter(organisation=world.op_b, message__contains="钱硕").count() == 1
    # once per person and policy
    assert services.people_changed([member.pk], AS_OF)["close"] == 0
