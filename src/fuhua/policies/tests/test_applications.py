"""Applications for the policy that still needs them (SIP 2020 rent relief), step by step through the workflow."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from fuhua.core.exceptions import Conflict
from fuhua.policies.models import Application, ApplicationStatus, Call, Notification, Payout
from fuhua.policies.services import applications as app
from fuhua.policies.services.sync import sync_policies
from fuhua.policies.workflow import CALL_WORKFLOW

D = datetime.date


@pytest.fixture
def call(world):
    policy = sync_policies()["sip-2020-rent-relief"]
    call = Call.objects.create(policy=policy, title="园区民营载体减免租金补贴", opens_on=D(2020, 7, 1),
                               closes_on=D(2020, 7, 31), notice_days=7)
    CALL_WORKFLOW.apply(world.users.bureau_sz, call, "publish")
    return call


@pytest.mark.django_db
def test_publish_apply_accept_review_notice_pay_evaluate(world, call, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    operator, bureau = world.users.operator_a, world.users.bureau_sz
    application = app.create_application(operator, {"call": call, "carrier": world.carrier_a,
                                                    "claimed_fen": 160_000_000, "claim_from": D(2020, 2, 1),
                                                    "claim_to": D(2020, 6, 30), "statement": "2-6月减免租金物业费"})
    evidence = app.add_attachment(operator, application, "减免明细",
                                  SimpleUploadedFile("减免明细.pdf", b"%PDF-1.4 rent relief", "application/pdf"))
    assert (tmp_path / evidence.file.name).exists()
    with translation.override("en"), pytest.raises(ValidationError, match="deadline"):
        app.take_step(operator, application, "submit", on=D(2020, 8, 1))
    app.take_step(operator, application, "submit", on=D(2020, 7, 20))
    with pytest.raises(PermissionDenied):  # the operator may not accept their own application (403)
        app.take_step(operator, application, "accept")
    app.take_step(bureau, application, "accept")
    app.take_step(bureau, application, "review", reason="材料齐全，核定减免额", approved_fen=120_000_000,
                  experts="王专家、李专家")
    app.take_step(bureau, application, "notice", on=D(2020, 9, 1))
    application.refresh_from_db()
    # 50% of 1,200,000 = 600,000, capped at 500,000 per carrier.
    assert (application.amount_fen, application.notice_ends_on) == (50_000_000, D(2020, 9, 8))
    with translation.override("en"), pytest.raises(ValidationError, match="public notice runs until"):
        app.take_step(bureau, application, "pay", on=D(2020, 9, 8))
    app.take_step(bureau, application, "pay", on=D(2020, 9, 9))
    payout = Payout.objects.get()
    assert (payout.carrier, payout.amount_fen, payout.key, payout.budget_year) == (
        world.carrier_a, 50_000_000, "rent_relief:2020", 2020)
    app.take_step(bureau, application, "evaluate", reason="资金已用于减免租户负担")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.EVALUATED and application.feedback
    assert Notification.objects.filter(application=application).count() == 6
    with pytest.raises(Conflict):
        app.take_step(bureau, application, "pay")


@pytest.mark.django_db
def test_an_application_cannot_be_paid_twice_or_over_budget(world, call):
    bureau = world.users.bureau_sz
    a = Application.objects.create(call=call, carrier=world.carrier_a, claimed_fen=100, claim_from=D(2020, 2, 1),
                                   claim_to=D(2020, 6, 30))
    for step, data in [("submit", {"on": D(2020, 7, 2)}), ("accept", {}),
                       ("review", {"reason": "ok", "approved_fen": 2_000_000_000}), ("notice", {"on": D(2020, 8, 1)})]:
        app.take_step(world.users.operator_a if step == "submit" else bureau, a, step, **data)
    call.policy.budgets.filter(year=2020).update(amount_fen=10_000_000)
    with translation.override("en"), pytest.raises(Conflict, match="budget"):
        app.take_step(bureau, a, "pay", on=D(2020, 9, 1))
    a.refresh_from_db()
    assert a.status == ApplicationStatus.NOTICE and not Payout.objects.exists()


@pytest.mark.django_db
def test_a_claim_states_the_months_it_covers_and_they_must_be_the_policys(world, call):
    """苏州工业园区 2020: "按照其2020年2月到6月份减免租金、物业费用总额" — a claim for July, or one that does
    not say which months it covers, is refused on its period field; nothing is written."""
    operator = world.users.operator_a
    base = {"call": call, "carrier": world.carrier_a, "claimed_fen": 10_000_000}
    with translation.override("en"), pytest.raises(ValidationError) as missing:
        app.create_application(operator, base)
    assert "claim_from" in missing.value.message_dict and "2020-02-01 to 2020-06-30" in str(missing.value)
    with translation.override("en"), pytest.raises(ValidationError) as outside:
        app.create_application(operator, {**base, "claim_from": D(2020, 2, 1), "claim_to": D(2020, 7, 31)})
    assert "2020-07-31" in str(outside.value.message_dict["claim_from"])
    with pytest.raises(ValidationError) as backwards:
        app.create_application(operator, {**base, "claim_from": D(2020, 6, 1), "claim_to": D(2020, 2, 1)})
    assert "claim_to" in backwards.value.message_dict
    assert not Application.objects.exists()
    ok = app.create_application(operator, {**base, "claim_from": D(2020, 2, 1), "claim_to": D(2020, 6, 30)})
    assert (ok.claim_from, ok.claim_to) == (D(2020, 2, 1), D(2020, 6, 30))
