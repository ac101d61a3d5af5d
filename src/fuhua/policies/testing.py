"""Test helpers: recognitions, published grades and a small policy world on top of `fuhua.testing.world`.

Grades come from `evaluation.services.published_grades`, so tests create published runs directly.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from fuhua import testing
from fuhua.evaluation.models import EvaluationResult, EvaluationRun, RunStatus
from fuhua.registry.models import Recognition

D = datetime.date
AUTHORITY = {"national": "科学技术部", "provincial": "江苏省科学技术厅", "municipal": "苏州市科学技术局",
             "county_city": "太仓市科学技术局", "district": "苏州市吴中区科学技术局"}


def recognise(carrier, level: str, on: D, *, kind: str | None = None, **fields) -> Recognition:
    fields.setdefault("authority", AUTHORITY[level])
    return Recognition.objects.create(
        carrier=carrier, level=level, kind="filing", carrier_kind=kind or carrier.kind,
        document_number=f"测〔{on.year}〕{carrier.pk}{level[:2]}号", granted_on=on, **fields)


def grade(carrier, period: int, value: str) -> EvaluationResult:
    """A published evaluation result (what `published_grades(period)` returns)."""
    run = EvaluationRun.objects.filter(period=period, region=carrier.region, status=RunStatus.PUBLISHED).first()
    if run is None:
        run = EvaluationRun.objects.create(scheme="test-scheme", scheme_version=D(period, 1, 1), period=period,
                                           region=carrier.region)
        EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.PUBLISHED, published_at=timezone.now())
    return EvaluationResult.objects.create(run=run, carrier=carrier, grade=value)


def suzhou_regions(world):
    """Taicang (320585); the registry ships regions as data, a transactional test may have flushed them."""
    from fuhua.registry.models import Region

    return Region.objects.get_or_create(pk="320585", defaults={"name": "太仓市", "level": "county",
                                                               "parent": world.regions.sz})[0]


def suzhou(world) -> SimpleNamespace:
    """Carriers in Suzhou around the world's national incubator (carrier_a, SIP):

    * maker: a maker space first filed municipal on 2025-03-01 (Suzhou 2020 一、1 and Suzhou 2022 award)
    * incubator: municipal since 2023, newly provincial on 2025-04-01 (Suzhou 2020 二、1 differential)
    * carrier_a is graded B for 2024 (operating subsidies of 2025)
    """
    sz = world.regions.sz
    taicang = suzhou_regions(world)
    maker = testing.carrier("苏州星火众创空间", world.op_a, sz, kind="maker_space", incubation_area_m2=1500,
                            tenant_area_m2=1200)
    incubator = testing.carrier("苏州相城科创孵化器", world.op_a, sz)
    tc = testing.carrier("太仓临沪科创孵化器", world.op_a, taicang)
    recognise(maker, "municipal", D(2025, 3, 1))
    recognise(incubator, "municipal", D(2023, 5, 1))
    rec_prov = recognise(incubator, "provincial", D(2025, 4, 1))
    recognise(tc, "national", D(2025, 2, 1))
    grade(world.carrier_a, 2024, "B")
    return SimpleNamespace(maker=maker, incubator=incubator, taicang=tc, rec_prov=rec_prov)


def high_tech(firm, on: D, **fields):
    """A 高新技术企业 certificate (three years) granted to `firm` on `on`."""
    from fuhua.registry.models import FirmDesignation

    return FirmDesignation.objects.create(firm=firm, kind="high_tech", granted_on=on,
                                          expires_on=D(on.year + 3, on.month, on.day) - datetime.timedelta(days=1),
                                          certificate_number=f"GR{on.year}32{firm.pk:06d}", **fields)


def firm_bank(firm) -> dict:
    """Payment details that pass the rules for `firm` (its own account, a bank, a branch)."""
    return {"account_name": firm.name, "bank_name": "中国工商银行", "branch": "中国工商银行苏州工业园区支行",
            "account_number": f"11020{firm.pk:011d}"}


def firm_objects(world) -> SimpleNamespace:
    """Firm-level policy objects in both cities (firm_a in Suzhou, firm_b in Nanjing) for the scope matrix:
    entitlements, payouts, feedback, fit notices, subscriptions. Built once per world."""
    cached = getattr(world, "_firm_policy_objects", None)
    if cached is not None:
        return cached
    from .models import Entitlement, Feedback, FitNotice, Payout, Subscription
    from .services.sync import sync_policies

    policies = sync_policies()
    sz, nj = policies["suzhou-2022-high-tech-reward"], policies["jiangsu-2021-student-teams"]
    ents, payouts, feedback, notices, subs = [], [], [], [], []
    for firm, policy in ((world.firm_a, sz), (world.firm_b, nj)):
        e = Entitlement.objects.create(policy=policy, beneficiary="firm", firm=firm, key="high_tech_reward",
                                       item="high_tech_reward_fen", group="award", period=2025,
                                       amount_fen=20_000_000, as_of=D(2025, 12, 31))
        ents.append(e)
        payouts.append(Payout.objects.create(policy=policy, firm=firm, entitlement=e, key=e.key, group=e.group,
                                             period=2025, budget_year=2025, region_code=firm.region_id,
                                             amount_fen=e.amount_fen, paid_on=D(2026, 1, 5)))
        feedback.append(Feedback.objects.create(entitlement=e, rating=4))
        notices.append(FitNotice.objects.create(firm=firm, policy=policy, fit="close", as_of=D(2025, 12, 31)))
        subs.append(Subscription.objects.create(firm=firm))
    # A carrier operator and a person (a founder of each city's firm) as beneficiaries, in both cities.
    from fuhua.registry.testing import founder_world

    people = founder_world(world)
    ops, persons = policies["suzhou-2021-brand-operators"], policies["jiangsu-2021-phd-founders"]
    for holder, policy, key, item in ((world.op_a, ops, "brand_operator_reward:2025", "brand_operator_reward_fen"),
                                      (world.op_b, ops, "brand_operator_reward:2025", "brand_operator_reward_fen"),
                                      (people.founder_a, persons, "phd_founder_grant", "phd_founder_grant_fen"),
                                      (people.founder_b, persons, "phd_founder_grant", "phd_founder_grant_fen")):
        kind = "operator" if policy is ops else "person"
        e = Entitlement.objects.create(policy=policy, beneficiary=kind, **{kind: holder}, key=key, item=item,
                                       group=item.split("_")[0] if kind == "person" else "brand", period=2025,
                                       amount_fen=10_000_000, as_of=D(2025, 12, 31))
        ents.append(e)
        region = holder.region_id if kind == "operator" else holder.firm.region_id
        payouts.append(Payout.objects.create(policy=policy, **{kind: holder}, entitlement=e, key=e.key, group=e.group,
                                             period=2025, budget_year=2025, region_code=region,
                                             amount_fen=e.amount_fen, paid_on=D(2026, 1, 5)))
    world._firm_policy_objects = SimpleNamespace(entitlements=ents, payouts=payouts, feedback=feedback,
                                                 notices=notices, subscriptions=subs)
    return world._firm_policy_objects


def scope_objects(world) -> SimpleNamespace:
    """Policy objects around both cities of the world, for the generated scope and audit tests.

    Built once per world (the scope tests call their row lambdas many times).
    """
    cached = getattr(world, "_policy_objects", None)
    if cached is not None:
        return cached
    from .models import Application, Call, Entitlement, Notification, Payout
    from .services.sync import sync_policies

    suzhou_regions(world)
    policies = sync_policies()
    sz, sip = policies["suzhou-2020-carriers"], policies["sip-2020-rent-relief"]
    common = {"policy": sz, "item": "incubator_operating_fen", "group": "operating", "period": 2025,
              "amount_fen": 50000000, "as_of": D(2025, 6, 30)}
    ent_a = Entitlement.objects.create(carrier=world.carrier_a, key="incubator_operating:2025", **common)
    ent_b = Entitlement.objects.create(carrier=world.carrier_b, key="maker_space_operating:2025", **common)
    payouts = [Payout.objects.create(policy=sz, carrier=e.carrier, entitlement=e, key=e.key, group=e.group,
                                     period=2025, budget_year=2025, region_code=e.carrier.region_id,
                                     amount_fen=e.amount_fen, paid_on=D(2025, 7, 1)) for e in (ent_a, ent_b)]
    call = Call.objects.create(policy=sip, title="园区民营载体减免租金补贴申报", opens_on=D(2020, 3, 1),
                               closes_on=D(2020, 7, 31))
    apps = [Application.objects.create(call=call, carrier=c, claimed_fen=30000000, claim_from=D(2020, 2, 1),
                                       claim_to=D(2020, 6, 30))
            for c in (world.carrier_a, world.carrier_b)]
    notes = [Notification.objects.create(organisation=c.operator, carrier=c, message=f"{c.name} 测试通知")
             for c in (world.carrier_a, world.carrier_b)]
    firm = firm_objects(world)
    world._policy_objects = SimpleNamespace(
        policies=[sz, sip], entitlements=[ent_a, ent_b, *firm.entitlements], payouts=[*payouts, *firm.payouts],
        calls=[call], applications=apps, notifications=notes)
    return world._policy_objects


# The firm-level endpoints' rows for the generated scope matrix (core/tests/test_scope_matrix.py).
SCOPE_RESOURCES = {
    "firm-fits": (lambda w: [w.firm_a, w.firm_b], {}),
    "carrier-fits": (lambda w: [w.carrier_a, w.carrier_b], {}),
    "operator-fits": (lambda w: [w.op_a, w.op_b], {}),
    "policy-feedback": (lambda w: firm_objects(w).feedback, {}),
    "fit-notices": (lambda w: firm_objects(w).notices, {}),
    "policy-subscriptions": (lambda w: firm_objects(w).subscriptions, {}),
}
SCOPE_WEB_NAMES = {"policies:firm": "firms", "policies:carrier": "carriers", "policies:operator": "organisations"}


def audit_factories() -> dict[str, tuple]:
    """label → (create(world) of a new unreferenced instance, a change) for core/tests/test_audit.py."""
    from .models import (
        Application,
        Attachment,
        Budget,
        Call,
        Confirmation,
        Entitlement,
        EntitlementRun,
        Feedback,
        FitNotice,
        Notification,
        Policy,
        Subscription,
    )

    def policy(w):
        return Policy.objects.create(code="audit-policy", title="审计测试政策", region=w.regions.sz,
                                     effective_from=D(2024, 1, 1))

    def entitlement(w):
        return Entitlement.objects.create(policy=policy(w), carrier=w.carrier_a, key="audit:2025", item="x",
                                          group="g", period=2025, amount_fen=100, as_of=D(2025, 1, 1))

    def application(w):
        call = Call.objects.create(policy=policy(w), title="审计申报", opens_on=D(2024, 1, 1), closes_on=D(2024, 2, 1))
        return Application.objects.create(call=call, carrier=w.carrier_a)

    return {
        "policies.policy": (policy, {"title": "审计测试政策二"}),
        "policies.budget": (lambda w: Budget.objects.create(policy=policy(w), year=2025, amount_fen=100),
                            {"amount_fen": 200}),
        "policies.call": (lambda w: Call.objects.create(policy=policy(w), title="审计申报", opens_on=D(2024, 1, 1),
                                                         closes_on=D(2024, 2, 1)), {"title": "审计申报二"}),
        "policies.entitlementrun": (lambda w: EntitlementRun.objects.create(policy=policy(w), as_of=D(2025, 1, 1),
                                                                            period=2025), {"created": 3}),
        "policies.entitlement": (entitlement, {"amount_fen": 200}),
        "policies.confirmation": (lambda w: Confirmation.objects.create(
            entitlement=entitlement(w), account_name="审计", bank_name="银行", account_number="6222000011112222"),
            {"bank_name": "另一银行"}),
        "policies.notification": (lambda w: Notification.objects.create(organisation=w.op_a, message="审计通知"),
                                  {"message": "审计通知二"}),
        "policies.application": (application, {"statement": "说明"}),
        "policies.feedback": (lambda w: Feedback.objects.create(entitlement=entitlement(w), rating=4),
                              {"rating": 5}),
        "policies.fitnotice": (lambda w: FitNotice.objects.create(firm=w.firm_a, policy=policy(w), fit="close",
                                                                  as_of=D(2025, 1, 1)), {"missing": "条件"}),
        "policies.subscription": (lambda w: Subscription.objects.create(firm=w.firm_b), {"include_open": False}),
        "policies.attachment": (lambda w: Attachment.objects.create(application=application(w), title="证明",
                                                                    file="policies/applications/audit.pdf"),
                                {"title": "证明二"}),
    }
