"""A small, fully linked world for tests: two cities, their carriers, tenants and a user per role.

Used by every app's tests (and the scope tests generated from the URL and API route lists), so that
"user X must not see object Y" reads the same everywhere.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings

from fuhua.accounts.models import ApiToken, RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core.validators import credit_code_check_char
from fuhua.incubation.models import Incubation, IncubationStatus
from fuhua.registry.models import (
    AssociationMembership,
    Carrier,
    CarrierStaffing,
    Firm,
    FirmDesignation,
    FirmYearFigures,
    IntellectualProperty,
    Investment,
    InvestorProfile,
    MentorProfile,
    Organisation,
    Recognition,
    Region,
    SeedFund,
    StartupTeam,
)

PASSWORD = "Test-pass-2026"
_serial = itertools.count(1)


@contextlib.contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """For a module- or class-scoped fixture: what the block writes is seen by every test of the scope (each test
    runs in its own savepoint, rolled back after it) and rolled back when the scope ends, so the scope pays for
    a big world (the demo, every app's objects) once instead of once per test. Passwords hashed fast, as in
    the tests (conftest._fast_password_hashing)."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=hashers):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def credit_code(region_code: str = "320500", kind: str = "91") -> str:
    """A valid unified social credit code, different on every call."""
    body = f"{kind}{region_code}{next(_serial):08d}"[:17]
    body = body.ljust(17, "0")
    return body + credit_code_check_char(body)


def make_user(username: str, role: str | None = None, **scope):
    user = get_user_model().objects.create_user(username, f"{username}@example.cn", PASSWORD)
    if role == Role.ADMIN:
        user.is_staff = True
        user.save()
    if role:
        RoleGrant.objects.create(user=user, role=role, **scope)
    return user


def api_client(user, name: str = "test") -> Client:
    """A client that calls the API with a fresh bearer token of `user`."""
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(user, name)[1]}"})


def login(client: Client, user) -> Client:
    """`client` (e.g. pytest-django's fixture) logged in to the pages as `user`, returned for chaining."""
    client.force_login(user)
    return client


def web_client(user) -> Client:
    """A new client logged in to the pages as `user` (no password round trip)."""
    return login(Client(), user)


def _region(code: str, name: str, level: str, parent=None) -> Region:
    # The registry ships regions as data (a migration); create them only where that data is absent.
    region, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
    return region


def regions():
    js = _region("320000", "江苏省", "province")
    sz = _region("320500", "苏州市", "prefecture", js)
    nj = _region("320100", "南京市", "prefecture", js)
    sip = _region("320571", "苏州工业园区", "county", sz)
    xw = _region("320102", "玄武区", "county", nj)
    return SimpleNamespace(js=js, sz=sz, nj=nj, sip=sip, xw=xw)


def organisation(name: str, region, kind: str = "enterprise", ownership: str | None = None) -> Organisation:
    """An organisation; an enterprise is privately owned unless `ownership` says otherwise."""
    if ownership is None:
        ownership = "private" if kind == "enterprise" else ""
    return Organisation.objects.create(name=name, credit_code=credit_code(region.code), kind=kind, region=region,
                                       ownership=ownership)


def carrier(name: str, operator, region, **fields) -> Carrier:
    values = dict(
        kind="incubator", established=datetime.date(2015, 6, 1), incubation_area_m2=12000,
        tenant_area_m2=9500, workstations=300,
    )
    values.update(fields)
    return Carrier.objects.create(name=name, operator=operator, region=region, **values)


def firm(name: str, region, **fields) -> Firm:
    values = dict(founded=datetime.date(2023, 3, 1), industry_field="ai")
    values.update(fields)
    return Firm.objects.create(name=name, credit_code=credit_code(region.code), region=region, **values)


def world() -> SimpleNamespace:
    r = regions()
    op_a = organisation("苏州纳米科技发展有限公司", r.sip)
    op_b = organisation("南京紫金科创投资有限公司", r.xw)
    assoc = organisation("江苏省科技企业孵化器协会", r.js, kind="association")
    provider = organisation("苏州知识产权服务有限公司", r.sz, kind="service_provider")
    fund = organisation("苏州元禾创业投资管理有限公司", r.sz, kind="investor")
    carrier_a = carrier("苏州纳米城孵化器", op_a, r.sip)
    carrier_b = carrier(
        "南京紫金众创空间", op_b, r.xw, kind="maker_space", incubation_area_m2=3000, tenant_area_m2=2400
    )
    AssociationMembership.objects.create(association=assoc, carrier=carrier_a, joined_on=datetime.date(2019, 1, 1))
    rec_a = Recognition.objects.create(
        carrier=carrier_a, level="national", kind="recognition", carrier_kind="incubator", authority="科学技术部",
        document_number="国科发区〔2019〕321号", granted_on=datetime.date(2019, 12, 1),
    )
    rec_b = Recognition.objects.create(
        carrier=carrier_b, level="provincial", kind="filing", carrier_kind="maker_space", authority="江苏省科学技术厅",
        document_number="苏科高发〔2020〕100号", granted_on=datetime.date(2020, 6, 1),
    )
    firm_a = firm("苏州微纳传感科技有限公司", r.sip)
    firm_b = firm("南京智算云科技有限公司", r.xw, industry_field="electronic_info")
    team_b = StartupTeam.objects.create(
        name="紫金机器人创业团队", leader="王磊", members=4, industry_field="ai",
        formed_on=datetime.date(2025, 3, 1), region=r.xw,
    )
    FirmDesignation.objects.create(firm=firm_a, kind="tech_sme", granted_on=datetime.date(2024, 5, 1))
    FirmDesignation.objects.create(firm=firm_b, kind="tech_sme", granted_on=datetime.date(2024, 5, 1))
    inc_a = Incubation.objects.create(
        firm=firm_a, carrier=carrier_a, status=IncubationStatus.INCUBATING, entered_on=datetime.date(2024, 1, 1)
    )
    inc_b = Incubation.objects.create(
        firm=firm_b, carrier=carrier_b, status=IncubationStatus.INCUBATING, entered_on=datetime.date(2024, 2, 1)
    )
    inc_team = Incubation.objects.create(
        team=team_b, carrier=carrier_b, status=IncubationStatus.INCUBATING, entered_on=datetime.date(2025, 3, 1)
    )
    mentor_a = MentorProfile.objects.create(name="李明", industry_field="ai", region=r.sz)
    mentor_a.carriers.add(carrier_a)
    mentor_b = MentorProfile.objects.create(name="赵静", industry_field="biomedicine", region=r.nj)
    mentor_b.carriers.add(carrier_b)
    investor_a = InvestorProfile.objects.create(name="陈晨", institution=fund, focus_field="ai", region=r.sz)
    investor_b = InvestorProfile.objects.create(name="孙悦", institution=fund, focus_field="ai", region=r.nj)
    users = SimpleNamespace(
        admin=make_user("admin", Role.ADMIN),
        bureau_js=make_user("bureau_js", Role.BUREAU, region=r.js),
        bureau_sz=make_user("bureau_sz", Role.BUREAU, region=r.sz),
        bureau_nj=make_user("bureau_nj", Role.BUREAU, region=r.nj),
        association=make_user("association", Role.ASSOCIATION, organisation=assoc),
        operator_a=make_user("operator_a", Role.OPERATOR, organisation=op_a),
        operator_b=make_user("operator_b", Role.OPERATOR, organisation=op_b),
        firm_a=make_user("firm_a", Role.FIRM, firm=firm_a),
        firm_b=make_user("firm_b", Role.FIRM, firm=firm_b),
        provider=make_user("provider", Role.SERVICE_PROVIDER, organisation=provider),
        mentor_a=make_user("mentor_a", Role.MENTOR, mentor=mentor_a),
        investor_a=make_user("investor_a", Role.INVESTOR, investor=investor_a),
        expert=make_user("expert", Role.EXPERT),
        nobody=make_user("nobody"),
    )
    return SimpleNamespace(
        regions=r, users=users, op_a=op_a, op_b=op_b, assoc=assoc, provider=provider, fund=fund,
        carrier_a=carrier_a, carrier_b=carrier_b, rec_a=rec_a, rec_b=rec_b, firm_a=firm_a, firm_b=firm_b,
        team_b=team_b, inc_a=inc_a, inc_b=inc_b, inc_team=inc_team, mentor_a=mentor_a, mentor_b=mentor_b,
        investor_a=investor_a, investor_b=investor_b,
    )


# --- the rules' facts (issue #3): one way to create each new model, for the audit test's FACTORIES ----------


class ModelFactory(NamedTuple):
    create: Callable  # world -> a new, unreferenced instance
    change: dict  # attribute -> new value, for an update


def investment(firm, **fields) -> Investment:
    values = dict(date=datetime.date(2024, 6, 1), amount_fen=300_000_000, round="angel", investor_name="元禾原点")
    values.update(fields)
    return Investment.objects.create(firm=firm, **values)


RULES_FACT_FACTORIES: dict[str, ModelFactory] = {
    "registry.investment": ModelFactory(lambda w: investment(w.firm_a), {"amount_fen": 400_000_000}),
    "registry.firmyearfigures": ModelFactory(
        lambda w: FirmYearFigures.objects.create(firm=w.firm_a, year=2024, revenue_fen=100_000_000),
        {"revenue_fen": 200_000_000}),
    "registry.intellectualproperty": ModelFactory(
        lambda w: IntellectualProperty.objects.create(firm=w.firm_a, kind="utility", number="ZL202420000001",
                                                      applied_on=datetime.date(2024, 3, 1)),
        {"granted_on": datetime.date(2024, 9, 1)}),
    "registry.seedfund": ModelFactory(
        lambda w: SeedFund.objects.create(carrier=w.carrier_a, name="纳米城种子资金", size_fen=600_000_000,
                                          established_on=datetime.date(2018, 1, 1)),
        {"size_fen": 700_000_000}),
    "registry.carrierstaffing": ModelFactory(
        lambda w: CarrierStaffing.objects.create(carrier=w.carrier_a, year=2024, staff_total=10,
                                                 staff_professional=8, staff_fulltime=9),
        {"staff_total": 12}),
}


def rules_facts(w) -> SimpleNamespace:
    """One of each rules fact in both cities (firm_a/carrier_a and firm_b/carrier_b), created once per world:
    the scope tests call this for every route, so it gets or creates."""
    out = SimpleNamespace(investments=[], figures=[], ip=[], seed_funds=[], staffing=[])
    for n, (f, c) in enumerate(((w.firm_a, w.carrier_a), (w.firm_b, w.carrier_b)), start=1):
        out.investments.append(Investment.objects.get_or_create(
            firm=f, date=datetime.date(2024, 6, 1),
            defaults={"amount_fen": 300_000_000, "round": "angel", "investor_name": "元禾原点"})[0])
        out.figures.append(FirmYearFigures.objects.get_or_create(firm=f, year=2024,
                                                                 defaults={"revenue_fen": 100_000_000})[0])
        out.ip.append(IntellectualProperty.objects.get_or_create(
            kind="utility", number=f"ZL20242000010{n}",
            defaults={"firm": f, "applied_on": datetime.date(2024, 3, 1)})[0])
        out.seed_funds.append(SeedFund.objects.get_or_create(
            carrier=c, name=f"种子资金{n}", defaults={"size_fen": 600_000_000,
                                                      "established_on": datetime.date(2018, 1, 1)})[0])
        out.staffing.append(CarrierStaffing.objects.get_or_create(
            carrier=c, year=2024, defaults={"staff_total": 10, "staff_professional": 8, "staff_fulltime": 9})[0])
    return out
