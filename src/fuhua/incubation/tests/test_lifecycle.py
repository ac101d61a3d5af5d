"""Rule-driven lifecycle: admission (with bureau override), time limits, graduation, registering applicants."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from fuhua import testing
from fuhua.core.models import ObjectChange
from fuhua.incubation import lifecycle
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.registry.models import Firm, FirmDesignation, FirmYearFigures

pytestmark = pytest.mark.django_db
D = datetime.date


def today():
    """Beijing's date when asked: a module-level constant goes stale when a run crosses midnight."""
    return timezone.localdate()


def months_ago(n: int) -> D:
    return today() - datetime.timedelta(days=round(n * 30.44))


@pytest.fixture
def old_applicant(world):
    firm = testing.firm("苏州老牌科技有限公司", world.regions.sip, founded=D(2019, 1, 15))
    return Incubation.objects.create(firm=firm, carrier=world.carrier_a, applied_on=D(2021, 7, 1))


def test_a_firm_too_old_is_refused_with_the_explanation(world, old_applicant):
    with translation.override("en"), pytest.raises(ValidationError) as exc:  # English source text asserted
        lifecycle.take_transition(world.users.operator_a, old_applicant, "admit", on=D(2021, 7, 16))
    message = " ".join(exc.value.messages)
    assert "2019-01-15" in message and "30 months" in message and "24 months" in message
    assert "第九条第9项（2）" in message and "cn-most-2018" in message
    old_applicant.refresh_from_db()
    assert old_applicant.status == IncubationStatus.APPLIED
    check = lifecycle.admission_check(old_applicant, D(2021, 7, 16))
    assert check.passed is False and check.facts["age_months"] == 30 and check.facts["max_months"] == 24
    assert "entry_age_ok" in check.explanation() and "第九条" in check.explanation()


def test_a_young_firm_is_admitted(world):
    firm = testing.firm("苏州新创科技有限公司", world.regions.sip, founded=months_ago(10))
    record = Incubation.objects.create(firm=firm, carrier=world.carrier_a, applied_on=months_ago(1))
    lifecycle.take_transition(world.users.operator_a, record, "admit")
    assert record.status == IncubationStatus.ADMITTED


def test_bureau_override_is_audited_with_its_reason(world, old_applicant):
    bureau = world.users.bureau_sz
    with pytest.raises(ValidationError):  # an override needs a reason
        lifecycle.take_transition(bureau, old_applicant, "admit", on=D(2021, 7, 16), override=True)
    lifecycle.take_transition(bureau, old_applicant, "admit", on=D(2021, 7, 16), override=True,
                              reason="重大科技专项承担单位，特批入驻")
    assert old_applicant.status == IncubationStatus.ADMITTED
    change = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Incubation),
                                         object_id=str(old_applicant.pk), action="update").latest("id")
    assert "重大科技专项承担单位" in change.reason and "entry_age_ok" in change.reason
    assert change.username == "bureau_sz"


def test_operators_cannot_override(world, old_applicant):
    with translation.override("en"), pytest.raises(PermissionDenied) as exc:  # not allowed: 403
        lifecycle.take_transition(world.users.operator_a, old_applicant, "admit", on=D(2021, 7, 16),
                                  override=True, reason="我们想要")
    assert "bureau" in str(exc.value)
    old_applicant.refresh_from_db()
    assert old_applicant.status == IncubationStatus.APPLIED


def test_after_2025_the_latest_pack_with_tenant_rules_is_used_and_named():
    chosen = lifecycle.tenant_pack(D(2026, 1, 1))
    assert chosen.pack.id == "cn-most-2018" and "cn-miit-2025" in chosen.note


@pytest.mark.parametrize(("field", "months", "overdue"), [
    ("ai", 47, False), ("ai", 49, True), ("biomedicine", 49, False), ("biomedicine", 61, True),
    ("integrated_circuits", 59, False), ("modern_agriculture", 62, True),
])
def test_expiry_listing_by_field(world, field, months, overdue):
    firm = testing.firm("到期测试科技有限公司", world.regions.sip, industry_field=field, founded=months_ago(months + 6))
    record = Incubation.objects.create(firm=firm, carrier=world.carrier_a, status=IncubationStatus.INCUBATING,
                                       entered_on=months_ago(months))
    rows, pack = lifecycle.overdue(world.users.bureau_sz)
    listed = {r.incubation.pk: r for r in rows}
    assert (record.pk in listed) == overdue
    check = lifecycle.time_limit_check(record)
    assert check.passed is (not overdue)
    assert check.facts["limit_months"] == (60 if field != "ai" else 48)
    if overdue:
        assert listed[record.pk].limit_months == check.facts["limit_months"]
        assert listed[record.pk].ends_on == check.facts["ends_on"]
        lifecycle.expire(world.users.operator_a, listed[record.pk], pack)
        record.refresh_from_db()
        assert record.status == IncubationStatus.EXPIRED and "第九条" in record.leave_reason
    # Out of the user's scope, nothing is listed.
    assert record.pk not in {r.incubation.pk for r in lifecycle.overdue(world.users.bureau_nj)[0]}


def _tenant(world, name="毕业测试科技有限公司"):
    firm = testing.firm(name, world.regions.sip, founded=D(2022, 1, 1))
    record = Incubation.objects.create(firm=firm, carrier=world.carrier_a, status=IncubationStatus.INCUBATING,
                                       entered_on=D(2022, 6, 1))
    return firm, record


GRADUATION = {  # the pack's condition variable → how a firm comes to meet it
    "graduation_by_high_tech": lambda f: FirmDesignation.objects.create(
        firm=f, kind="high_tech", granted_on=D(2024, 1, 1), expires_on=today() + datetime.timedelta(days=300)),
    "graduation_by_investment": lambda f: testing.investment(f, amount_fen=500_000_001, date=D(2023, 1, 1)),
    "graduation_by_revenue": lambda f: [
        FirmYearFigures.objects.create(firm=f, year=today().year - k, revenue_fen=500_000_001) for k in (1, 2)],
    "graduation_by_listing": lambda f: Firm.objects.filter(pk=f.pk).update(listed_on=D(2024, 5, 1),
                                                                             listing_board="neeq"),
    "graduation_by_merger": lambda f: Firm.objects.filter(pk=f.pk).update(acquired_on=D(2024, 5, 1)),
}


@pytest.mark.parametrize("condition", list(GRADUATION))
def test_graduation_detected_for_each_condition(world, condition):
    firm, record = _tenant(world)
    assert record.pk not in {p.incubation.pk for p in lifecycle.graduation_proposals(world.users.operator_a)}
    GRADUATION[condition](firm)
    proposals = {p.incubation.pk: p for p in lifecycle.graduation_proposals(world.users.operator_a)}
    assert list(proposals[record.pk].conditions) == [condition]
    record.refresh_from_db()
    check = lifecycle.graduation_check(record)
    assert check.passed and "第九条" in check.explanation()
    lifecycle.take_transition(world.users.operator_a, record, "graduate", reason=proposals[record.pk].reason)
    assert record.status == IncubationStatus.GRADUATED and "第九条" in record.leave_reason


def test_revenue_just_at_the_threshold_does_not_graduate(world):
    firm, record = _tenant(world)
    for k in (1, 2):
        FirmYearFigures.objects.create(firm=firm, year=today().year - k, revenue_fen=500_000_000)
    assert record.pk not in {p.incubation.pk for p in lifecycle.graduation_proposals(world.users.bureau_sz)}


NEW_FIRM = {"name": "苏州初芯科技有限公司", "founded": D(2025, 10, 1), "industry_field": "ai"}


def test_operator_registers_a_new_applicant(world):
    data = {**NEW_FIRM, "credit_code": testing.credit_code("320571"), "region_id": "320571"}
    record = lifecycle.register_applicant(world.users.operator_a, world.carrier_a, firm_data=data,
                                          applied_on=D(2026, 1, 5))
    assert record.status == IncubationStatus.APPLIED and record.firm.name == NEW_FIRM["name"]
    assert ObjectChange.objects.filter(username="operator_a", action="create").count() == 2


def test_another_citys_operator_is_refused_and_nothing_is_written(world):
    data = {**NEW_FIRM, "credit_code": testing.credit_code("320571"), "region_id": "320571"}
    before = (Firm.objects.count(), Incubation.objects.count(), ObjectChange.objects.count())
    with pytest.raises(PermissionDenied):
        lifecycle.register_applicant(world.users.operator_b, world.carrier_a, firm_data=data)
    with pytest.raises(PermissionDenied):  # firm users may not add incubation records at all
        lifecycle.register_applicant(world.users.firm_a, world.carrier_a, firm=world.firm_a)
    assert (Firm.objects.count(), Incubation.objects.count(), ObjectChange.objects.count()) == before


def test_invalid_firm_data_writes_nothing(world):
    before = (Firm.objects.count(), Incubation.objects.count())
    with pytest.raises(ValidationError) as exc:
        lifecycle.register_applicant(world.users.operator_a, world.carrier_a,
                                     firm_data={**NEW_FIRM, "credit_code": "123", "region_id": "320571"})
    assert "credit_code" in exc.value.message_dict
    assert (Firm.objects.count(), Incubation.objects.count()) == before


def test_graduation_conditions_are_the_packs_variables_in_its_words():
    import inspect

    pack = lifecycle.tenant_pack(today()).pack
    assert lifecycle.condition_names(pack) == ["graduation_by_high_tech", "graduation_by_investment",
                                               "graduation_by_revenue", "graduation_by_listing",
                                               "graduation_by_merger"]
    with translation.override("zh-hans"):
        reason = lifecycle.graduation_reason(pack, ["graduation_by_revenue"])
    assert pack.definitions["graduation_by_revenue"].label_zh in reason and pack.document.number in reason
    with translation.override("en"):
        assert "revenue over two consecutive years" in lifecycle.graduation_reason(pack, ["graduation_by_revenue"])
    source = inspect.getsource(lifecycle)  # no condition or threshold restated in Python
    assert "graduation_min_revenue_2y" not in source and "vc_investment_cumulative_fen" not in source
