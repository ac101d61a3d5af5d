"""One demo account per role, all with one published password. Idempotent: existing users are kept."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.registry.demo import regions
from fuhua.registry.demo.calibration import OPERATOR_CARRIER
from fuhua.registry.models import Carrier, Firm, InvestorProfile, MentorProfile, Organisation, Region

from .admin_work import ensure_admin_work

PASSWORD = "Fuhua-demo-2026"  # ≥ 10 characters, 3 character classes (accounts.validators)


@dataclass(frozen=True)
class AccountRow:
    username: str
    role_label: str
    scope: str


@dataclass(frozen=True)
class DemoAccounts:
    password: str
    rows: list[AccountRow]


def _operator_carrier() -> Carrier | None:
    """The flagship Suzhou incubator, or else the Suzhou carrier with the most tenants."""
    found = Carrier.objects.filter(name=OPERATOR_CARRIER).first()
    if found is None:
        found = (Carrier.objects.filter(region__code__startswith=regions.SUZHOU[:4])
                 .annotate(n=Count("incubations")).order_by("-n", "id").first())
    return found


def _targets() -> list[tuple[str, str, str, dict, str]]:
    """(username, role, Chinese label, grant scope, scope as shown) for every demo account."""
    region = Region.objects.filter
    js, sz, nj = (region(code=c).first() for c in (regions.JIANGSU, regions.SUZHOU, regions.NANJING))
    association = Organisation.objects.filter(kind="association", region_id=regions.JIANGSU).order_by("id").first()
    carrier = _operator_carrier()
    firm = (Firm.objects.filter(incubations__carrier=carrier, incubations__status="incubating")
            .order_by("id").first()) if carrier else None
    provider = Organisation.objects.filter(kind="service_provider", region_id=regions.SUZHOU).order_by("id").first()
    mentor = (MentorProfile.objects.filter(Q(carriers=carrier) if carrier else Q()).order_by("id").first())
    investor = InvestorProfile.objects.filter(region_id=regions.SUZHOU).order_by("id").first()
    return [
        ("admin", Role.ADMIN, "平台管理员", {}, "全平台"),
        ("bureau_js", Role.BUREAU, "科技厅工作人员", {"region": js}, js),
        ("bureau_sz", Role.BUREAU, "科技局工作人员", {"region": sz}, sz),
        ("bureau_nj", Role.BUREAU, "科技局工作人员", {"region": nj}, nj),
        ("bureau_nt", Role.BUREAU, "科技局工作人员", {"region": region(code="320600").first()},
         region(code="320600").first()),  # Nantong: the targets of its 2022-2024 plan (steering)
        ("association", Role.ASSOCIATION, "孵化器协会", {"organisation": association}, association),
        ("operator", Role.OPERATOR, "载体运营方", {"organisation": carrier and carrier.operator},
         carrier and f"{carrier.name} 的运营方"),
        ("firm", Role.FIRM, "在孵企业", {"firm": firm}, firm),
        ("provider", Role.SERVICE_PROVIDER, "服务机构", {"organisation": provider}, provider),
        ("mentor", Role.MENTOR, "创业导师", {"mentor": mentor}, mentor),
        ("investor", Role.INVESTOR, "投资机构", {"investor": investor},
         investor and f"{investor.name}（{investor.institution.name}）"),
        ("expert", Role.EXPERT, "评审专家", {}, "分配给本人的评审任务"),
        # Service stewards (服务管家) of the desk: bureau staff; the desk's demo step designates them.
        ("steward_sz", Role.BUREAU, "服务管家", {"region": sz}, sz),
        ("steward_nj", Role.BUREAU, "服务管家", {"region": nj}, nj),
        # 三员分立: the system, security and audit administrators, none of whom can do the others' work.
        ("sysadmin", Role.SYSTEM_ADMIN, "系统管理员", {}, "全平台"),
        ("secadmin_sz", Role.SECURITY_ADMIN, "安全管理员", {"region": sz}, sz),
        ("auditor", Role.AUDIT_ADMIN, "审计管理员", {}, "全平台"),
    ]


@transaction.atomic
def ensure_demo_accounts(today: datetime.date | None = None) -> DemoAccounts:
    """Create the demo accounts that are missing (and their role grants); leave existing ones as they are.
    The administrators' work (admin_work) is added once, as of `today` (default the local date)."""
    User = get_user_model()
    hashed = None
    rows = []
    for username, role, label, scope, shown in _targets():
        if any(v is None for v in scope.values()):
            rows.append(AccountRow(username, label, "（演示数据中没有对应对象）"))
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            # One hash for all: PBKDF2 is slow on purpose, and these accounts share a published password.
            hashed = hashed or make_password(PASSWORD)
            user = User(username=username, email=f"{username}@demo.fuhua.cn", password=hashed,
                        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
            user.save()
        RoleGrant.objects.get_or_create(user=user, role=role, **scope)
        profile = scope.get("mentor") or scope.get("investor")
        if profile is not None and profile.user_id is None:
            profile.user = user
            profile.save(update_fields=["user"])
        rows.append(AccountRow(username, label, str(shown)))
    ensure_admin_work(today or timezone.localdate())
    return DemoAccounts(PASSWORD, rows)


def accounts_step(run) -> None:
    """The demo step: create the accounts, and leave the expert for the evaluation step to assign reviews to."""
    accounts = ensure_demo_accounts(run.today)
    run.shared["experts"] = list(get_user_model().objects.filter(username="expert"))
    run.begin(1)
    run.advance(1)
    run.note(f"accounts: {len(accounts.rows)} demo accounts (password {accounts.password})")
