"""The demo generator: calibration (planned without a database), determinism, validity, accounts."""

import datetime
import random
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import F, Min
from django.urls import reverse

from fuhua.core.validators import validate_credit_code
from fuhua.demo.accounts import PASSWORD, ensure_demo_accounts
from fuhua.demo.loader import load_demo
from fuhua.demo.testing import small_demo as replayed_small_demo
from fuhua.incubation.models import Incubation
from fuhua.registry import models as m
from fuhua.registry.demo.calibration import (
    EVALUATED_KINDS,
    EVALUATED_LEVELS,
    SCALES,
    TENANT_FLOOR,
    VETO_AREA,
    VETO_TENANTS,
    set_as_of,
)
from fuhua.registry.demo.plan import plan_carriers
from fuhua.testing import rolled_back

TODAY = datetime.date(2026, 12, 2)  # a fixed "today": the demo's histories end here

# --- calibration, planned without writing anything -------------------------------------------------


@pytest.fixture(scope="module")
def province_plan():
    set_as_of(TODAY)
    return plan_carriers(SCALES["province"])


def test_province_carrier_mix(province_plan):
    kinds = Counter(p.kind for p in province_plan)
    assert kinds["incubator"] == 1070
    assert kinds["maker_space"] == 1075
    assert 2100 <= len(province_plan) <= 2300
    assert all(kinds[k] > 0 for k in ("accelerator", "university_park", "rural_star", "demo_base"))
    national = Counter(p.kind for p in province_plan if p.level == "national")
    assert national["incubator"] == 244
    specialised = Counter(p.kind for p in province_plan if p.industry)
    assert (specialised["incubator"], specialised["maker_space"]) == (309, 226)


def test_province_cities_weighted_like_reality(province_plan):
    per_city = Counter(p.group for p in province_plan)
    assert len(per_city) == 13
    top4 = {code for code, _ in per_city.most_common(4)}
    assert top4 == {"320500", "320100", "320200", "320400"}  # Suzhou, Nanjing, Wuxi, Changzhou
    assert per_city.most_common(1)[0][0] == "320500"


def test_province_tenants_and_areas(province_plan):
    assert sum(p.tenants for p in province_plan) == 77_000
    assert all(p.tenant_area <= p.incubation_area for p in province_plan)
    national_incubators = [p for p in province_plan if p.kind == "incubator" and p.level == "national"]
    big = sum(p.incubation_area >= 10_000 for p in national_incubators)
    assert big / len(national_incubators) >= 0.9
    typical = sorted(p.tenants for p in national_incubators)[len(national_incubators) // 2]
    assert typical >= 50  # the national threshold is 50 tenants


def test_province_graded_carriers_clear_the_evaluation_vetoes(province_plan):
    """Recognised incubators and parks have enough tenants and area for the 2024 evaluation's vetoes, with a
    margin (about 58% of planned tenants are in incubation at the end of 2024), but for a weak 1-3%."""
    graded = [p for p in province_plan if p.kind in EVALUATED_KINDS and p.level in EVALUATED_LEVELS]
    assert len(graded) > 600

    def clears(p):
        category = "specialised" if p.industry else "comprehensive"
        return (p.tenants >= round(VETO_TENANTS[category] * TENANT_FLOOR[0])
                and p.tenant_area >= VETO_AREA[category])

    failing = [p for p in graded if not clears(p)]
    assert 0.005 <= len(failing) / len(graded) <= 0.03
    assert all(p.tenant_area <= p.incubation_area for p in graded)


def test_province_established_before_recognitions(province_plan):
    for p in province_plan:
        assert p.ladder and p.ladder[-1][0] == p.level
        assert all(2015 <= year <= TODAY.year - 1 for _, year in p.ladder)  # batches up to the last complete year
        assert p.established.year <= p.ladder[0][1]


def test_national_plan_covers_the_country():
    plan = plan_carriers(SCALES["national"])
    assert len(plan) == 16_000
    assert sum(p.tenants for p in plan) == 500_000
    assert len({p.province for p in plan}) == 31  # the mainland provinces


def test_plan_is_deterministic():
    first = [(p.full_name, p.region, p.tenants) for p in plan_carriers(SCALES["small"])]
    assert first == [(p.full_name, p.region, p.tenants) for p in plan_carriers(SCALES["small"])]


# --- the small scale, written to the test database -----------------------------------------------------


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    """The small demo, loaded once for the module's tests that read it (the last ones of the module: a test
    after them that wants an empty database would find it), rolled back at the module's end."""
    with rolled_back(django_db_blocker):
        yield replayed_small_demo(TODAY)


@pytest.fixture
def small(small_demo, db):
    return small_demo


def _snapshot():
    return (
        list(m.Carrier.objects.order_by("name").values_list("name", "region_id", "established")),
        list(m.Firm.objects.order_by("credit_code").values_list("credit_code", "name", "founded")),
        list(m.Organisation.objects.order_by("credit_code").values_list("credit_code", "name")),
        list(Incubation.objects.order_by("firm__credit_code", "team__name", "entered_on", "applied_on")
             .values_list("firm__credit_code", "team__name", "carrier__name", "status", "entered_on", "left_on")),
    )


@pytest.mark.django_db
def test_small_scale_is_deterministic():
    rollback_to = transaction.savepoint()
    load_demo("small", today=TODAY)
    first = _snapshot()
    transaction.savepoint_rollback(rollback_to)
    assert not m.Carrier.objects.exists()
    # Another load of the same day: for real, or the replay of one made earlier in this process (what the
    # other tests start from, demo.testing) — either way an independent load.
    replayed_small_demo(TODAY)
    assert _snapshot() == first
    assert 35 <= m.Carrier.objects.count() <= 45
    assert 700 <= m.Firm.objects.count() <= 1000


def test_load_is_idempotent(small):
    before = _snapshot()
    summary = load_demo("small", today=TODAY)
    assert "no demo data was loaded" in summary
    assert _snapshot() == before
    assert "载体" in summary or "carriers" in summary


def test_credit_codes_are_valid_and_unique(small):
    codes = list(m.Firm.objects.values_list("credit_code", flat=True))
    codes += list(m.Organisation.objects.values_list("credit_code", flat=True))
    assert len(codes) == len(set(codes))
    for code in codes:
        validate_credit_code(code)
    for firm in m.Firm.objects.all():
        assert firm.credit_code[2:8] == firm.region_id  # the region digits are the firm's region


def test_dates_and_areas_are_consistent(small):
    assert not m.Carrier.objects.filter(tenant_area_m2__gt=F("incubation_area_m2")).exists()
    first_recognition = m.Carrier.objects.annotate(first=Min("recognitions__granted_on"))
    assert not first_recognition.filter(established__gte=F("first")).exists()
    assert not Incubation.objects.filter(firm__founded__gt=F("entered_on")).exists()
    assert not Incubation.objects.filter(entered_on__lt=F("carrier__established")).exists()
    assert not m.Recognition.objects.exclude(national_grade="").filter(granted_on__year__lt=2025).exists()
    statuses = Counter(Incubation.objects.values_list("status", flat=True))
    assert statuses.most_common(1)[0][0] == "incubating"
    assert statuses["graduated"] and statuses["exited"] and statuses["expired"]


def test_every_model_passes_full_clean(small):
    r = random.Random(0)
    models = [m.Organisation, m.Carrier, m.Recognition, m.AssociationMembership, m.Firm, m.FirmDesignation,
              m.StartupTeam, Incubation, m.MentorProfile, m.InvestorProfile]
    for model in models:
        ids = list(model.objects.values_list("pk", flat=True))
        assert ids, model
        for pk in r.sample(ids, min(40, len(ids))):
            model.objects.get(pk=pk).full_clean()


def test_search_column_matches_search_text(small):
    from fuhua.core.search import search_text

    firms = list(m.Firm.objects.all()[:200])
    same = sum(f.search == search_text(f.name, f.credit_code) for f in firms)
    assert same >= 0.95 * len(firms)  # composed per name part; only polyphonic boundaries may differ


# --- demo accounts -------------------------------------------------------------------------------------------


def test_demo_accounts_exist_once_per_role(small, django_user_model):
    accounts = ensure_demo_accounts()
    again = ensure_demo_accounts()
    assert accounts == again
    names = [row.username for row in accounts.rows]
    assert names == ["admin", "bureau_js", "bureau_sz", "bureau_nj", "bureau_nt", "association", "operator", "firm",
                     "provider", "mentor", "investor", "expert", "steward_sz", "steward_nj", "sysadmin",
                     "secadmin_sz", "auditor"]
    assert django_user_model.objects.filter(username__in=names).count() == len(names)
    scopes = {row.username: row.scope for row in accounts.rows}
    assert scopes["bureau_sz"] == "苏州市" and scopes["secadmin_sz"] == "苏州市" and scopes["auditor"] == "全平台"
    assert scopes["operator"] == "苏州纳米城科技企业孵化器 的运营方"
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert all(u.check_password(PASSWORD) for u in django_user_model.objects.filter(username__in=names))


def test_bureau_sz_sees_only_suzhou(small, client, django_user_model):
    ensure_demo_accounts()
    user = django_user_model.objects.get(username="bureau_sz")
    visible = m.Carrier.objects.restrict(user)
    assert visible.count() == m.Carrier.objects.filter(region__code__startswith="3205").count() > 0
    assert not visible.exclude(region__code__startswith="3205").exists()
    client.force_login(user)
    suzhou = visible.first()
    nanjing = m.Carrier.objects.filter(region__code__startswith="3201").first()
    assert client.get(reverse("registry:carrier_detail", kwargs={"pk": suzhou.pk})).status_code == 200
    assert client.get(reverse("registry:carrier_detail", kwargs={"pk": nanjing.pk})).status_code == 404


def test_operator_and_firm_accounts_see_their_own(small, django_user_model):
    ensure_demo_accounts()
    operator = django_user_model.objects.get(username="operator")
    carriers = m.Carrier.objects.restrict(operator)
    assert carriers.filter(name="苏州纳米城科技企业孵化器").exists()
    assert Incubation.objects.restrict(operator).count() >= 50  # a well-populated carrier
    firm_user = django_user_model.objects.get(username="firm")
    assert m.Firm.objects.restrict(firm_user).count() == 1
