"""REST endpoints of policies: read-only resources (core.api_crud) plus thin actions over the services.

Every action first fetches its object through `get_scoped` (403/404 by role and scope), then calls a
service, which checks again and does the work in one transaction.
"""

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from fuhua.core.api_crud import Resource, crud_router, get_scoped, operation, require
from fuhua.core.api_errors import OBJECT_ERRORS, WRITE_ERRORS
from fuhua.core.exceptions import Conflict
from fuhua.registry.models import Carrier, Organisation

from . import schemas as s
from . import services
from .application_workflow import APPLICATION_WORKFLOW
from .compute import compute
from .firm_compute import default_as_of
from .models import (
    Application,
    Budget,
    Call,
    Entitlement,
    Feedback,
    FitNotice,
    Notification,
    Payout,
    Policy,
    Subscription,
)
from .services import applications as app_services
from .services.ledger import budget_status, ledger_totals, recover
from .services.simulate import carriers_in_scope, parse_settings
from .workflow import CALL_WORKFLOW

POLICIES = Resource(Policy, s.PolicyOut, filters=s.PolicyFilters, ordering=("code", "effective_from"), search=None)
ENTITLEMENTS = Resource(Entitlement, s.EntitlementOut, filters=s.EntitlementFilters,
                        ordering=("amount_fen", "period", "queue_position", "created_at"),
                        select_related=("policy", "carrier", "firm", "team", "operator", "person"), search=None)
PAYOUTS = Resource(Payout, s.PayoutOut, filters=s.PayoutFilters, ordering=("paid_on", "amount_fen", "budget_year"),
                   select_related=("policy", "carrier", "firm", "team", "operator", "person"), search=None)
APPLICATIONS = Resource(Application, s.ApplicationOut, filters=s.ApplicationFilters,
                        ordering=("created_at", "submitted_on", "status"), select_related=("carrier",), search=None)
CALLS = Resource(Call, s.CallOut, s.CallIn, filters=s.CallFilters, ordering=("opens_on", "closes_on"), search=None)
NOTIFICATIONS = Resource(Notification, s.NotificationOut, filters=s.NotificationFilters, ordering=("created_at",),
                         search=None)
FEEDBACK = Resource(Feedback, s.PolicyFeedbackOut, filters=s.PolicyFeedbackFilters,
                    ordering=("created_at", "rating"), select_related=("entitlement__policy",), search=None)
FIT_NOTICES = Resource(FitNotice, s.FitNoticeOut, filters=s.FitNoticeFilters, ordering=("created_at",),
                       select_related=("policy",), search=None)
SUBSCRIPTIONS = Resource(Subscription, s.PolicySubscriptionOut, filters=s.PolicySubscriptionFilters,
                         ordering=("created_at",), search=None)


def _today() -> datetime.date:
    return timezone.localdate()


def policies_router() -> Router:
    r = crud_router(POLICIES)

    @r.get("/{id}/entitlements", response={200: s.ComputedOut, **OBJECT_ERRORS},
           **operation("policy_entitlements", "Compute entitlements now (免申即享), without saving"))
    def computed(request, id: int, as_of: datetime.date | None = None):
        policy = get_scoped(POLICIES, request.auth_user, id)
        day = as_of or _today()
        result = compute(policy.code, day)
        visible = carriers_in_scope(request.auth_user, result.facts.ids)  # rows of the caller's carriers only
        dues = [d for d in result.dues if d.carrier_id in visible]
        return {"policy": policy.code, "as_of": day, "carriers": len(visible),
                "total_fen": sum(d.amount_fen for d in dues), "seconds": result.seconds,
                "entitlements": [d.__dict__ for d in dues]}

    @r.get("/{id}/simulation", response={200: dict, **OBJECT_ERRORS},
           **operation("policy_simulation", "What-if: cost, cost by region, gainers and losers"))
    def simulation(request, id: int, params: Query[s.SimulationParams]):
        policy = get_scoped(POLICIES, request.auth_user, id)
        overrides = parse_settings(params.set)
        return services.simulate(request.auth_user, policy.code, params.as_of or _today(), overrides)

    @r.get("/{id}/ledger", response={200: dict, **OBJECT_ERRORS},
           **operation("policy_ledger", "Budget, spend and ledger totals per year and city"))
    def ledger(request, id: int):
        policy = get_scoped(POLICIES, request.auth_user, id)
        payouts = Payout.objects.restrict(request.auth_user).filter(policy=policy)
        budgets = budget_status(policy, Budget.objects.restrict(request.auth_user))  # roles that plan, in scope
        return {"budgets": budgets, **ledger_totals(payouts)}

    @r.post("/{id}/runs", response={201: s.EntitlementRunOut, **WRITE_ERRORS},
            **operation("policy_run", "Run 免申即享: save entitlements, notify beneficiaries (idempotent)"))
    def run(request, id: int, payload: s.EntitlementRunIn):
        policy = get_scoped(POLICIES, request.auth_user, id, "change")
        if policy.needs_application:
            raise Conflict(_("This policy is paid on application; use its calls."))
        return Status(201, services.run_entitlements(request.auth_user, policy.code, payload.as_of or _today()))

    @r.get("/{id}/reach", response={200: dict, **OBJECT_ERRORS},
           **operation("policy_reach", "Reach of a firm-level policy: firms entitled, total cost, firms one "
                                       "condition away (what-if on the real population)"))
    def reach(request, id: int, params: Query[s.ReachParams]):
        policy = get_scoped(POLICIES, request.auth_user, id)
        return services.reach(request.auth_user, policy.code, params.as_of or default_as_of(),
                              parse_settings(params.set))

    @r.post("/{id}/publication", response={200: dict, **WRITE_ERRORS},
            **operation("policy_publish", "Publish a firm-level policy: save its entitlements and tell the firms "
                                          "that are entitled or one condition away"))
    def publication(request, id: int, payload: s.PolicyPublishIn):
        policy = get_scoped(POLICIES, request.auth_user, id, "change")
        return services.publish(request.auth_user, policy.code, payload.as_of or default_as_of())

    @r.get("/{id}/feedback", response={200: dict, **OBJECT_ERRORS},
           **operation("policy_feedback", "Post-evaluation: the beneficiaries' ratings of a policy"))
    def feedback(request, id: int):
        policy = get_scoped(POLICIES, request.auth_user, id)
        rows = Feedback.objects.restrict(request.auth_user).filter(entitlement__policy=policy)
        return services.feedback_summary(rows).get(policy.code) or {"policy": policy.code, "answers": 0}

    @r.post("/{id}/payouts", response={200: s.PayOut, **WRITE_ERRORS},
            **operation("policy_pay", "Pay confirmed entitlements within the year's budget, in priority order"))
    def pay(request, id: int, payload: s.PayIn):
        policy = get_scoped(POLICIES, request.auth_user, id, "change")
        result = services.pay(request.auth_user, policy.code, payload.year or _today().year,
                              entitlement_ids=payload.entitlement_ids, limit=payload.limit,
                              reference=payload.reference)
        return {"paid": len(result.paid), "total_fen": result.total_fen, "skipped": result.skipped,
                "remaining_fen": result.remaining_fen}

    return r


def entitlements_router() -> Router:
    r = crud_router(ENTITLEMENTS)

    @r.post("/{id}/confirmation", response={200: s.EntitlementOut, **WRITE_ERRORS},
            **operation("entitlement_confirm", "Confirm the payment details (beneficiary)"))
    def confirm(request, id: int, payload: s.ConfirmIn):
        entitlement = get_scoped(ENTITLEMENTS, request.auth_user, id, "change")
        services.confirm(request.auth_user, entitlement, payload.dict())
        return ENTITLEMENTS.queryset(request.auth_user, "view").get(pk=id)

    @r.post("/{id}/feedback", response={201: s.PolicyFeedbackOut, **WRITE_ERRORS},
            **operation("entitlement_feedback", "Rate a paid entitlement (beneficiary; once, after payment)"))
    def feedback(request, id: int, payload: s.PolicyFeedbackIn):
        entitlement = get_scoped(ENTITLEMENTS, request.auth_user, id, "change")
        obj = services.give_feedback(request.auth_user, entitlement, payload.model_dump())
        return Status(201, FEEDBACK.queryset(request.auth_user, "view").get(pk=obj.pk))

    @r.post("/{id}/recovery", response={200: s.PayoutOut, **WRITE_ERRORS},
            **operation("entitlement_recover", "Record the recovery of a clawback proposal"))
    def recovery(request, id: int, payload: s.ReverseIn):
        entitlement = get_scoped(ENTITLEMENTS, request.auth_user, id, "view")  # the policy's bureau, not the carrier
        require(request.auth_user, "change", entitlement.policy)
        return recover(request.auth_user, entitlement, payload.reason)

    return r


def payouts_router() -> Router:
    r = crud_router(PAYOUTS)

    @r.post("/{id}/reversal", response={201: s.PayoutOut, **WRITE_ERRORS},
            **operation("payout_reverse", "Correct a payment with a reversing entry (the ledger is append-only)"))
    def reversal(request, id: int, payload: s.ReverseIn):
        payout = get_scoped(PAYOUTS, request.auth_user, id, "change")
        return Status(201, services.reverse(request.auth_user, payout, payload.reason))

    return r


def applications_router() -> Router:
    r = crud_router(APPLICATIONS)

    @r.post("", response={201: s.ApplicationOut, **WRITE_ERRORS},
            **operation("application_create", "Create an application (draft) under a call"))
    def create(request, payload: s.ApplicationIn):
        require(request.auth_user, "add", Application)
        obj = app_services.create_application(request.auth_user, payload.model_dump())
        return Status(201, APPLICATIONS.queryset(request.auth_user, "view").get(pk=obj.pk))

    @r.post("/{id}/transitions/{name}", response={200: s.ApplicationOut, **WRITE_ERRORS},
            **operation("application_transition", "Take a step: submit, accept, review, notice, pay, evaluate, reject"))
    def step(request, id: int, name: str, payload: s.StepIn):
        obj = get_scoped(APPLICATIONS, request.auth_user, id, "change")
        if name not in APPLICATION_WORKFLOW.transitions:
            raise Http404
        data = payload.model_dump(exclude={"reason"}, exclude_none=True)
        app_services.take_step(request.auth_user, obj, name, reason=payload.reason, **data)
        return APPLICATIONS.queryset(request.auth_user, "view").get(pk=id)

    @r.post("/{id}/attachments", response={201: s.AttachmentOut, **WRITE_ERRORS},
            **operation("application_attach", "Attach evidence (multipart: title, file)"))
    def attach(request, id: int, title: Form[str] = "", file: File[UploadedFile] = None):
        obj = get_scoped(APPLICATIONS, request.auth_user, id, "change")
        if file is None:
            raise Conflict(_("Send the file as the multipart/form-data field 'file'."))
        return Status(201, app_services.add_attachment(request.auth_user, obj, title or file.name, file))

    return r


def calls_router() -> Router:
    r = crud_router(CALLS)

    @r.post("/{id}/transitions/{name}", response={200: s.CallOut, **WRITE_ERRORS},
            **operation("call_transition", "Publish or close a call"))
    def step(request, id: int, name: str, payload: s.StepIn):
        obj = get_scoped(CALLS, request.auth_user, id, "change")
        if name not in CALL_WORKFLOW.transitions:
            raise Http404
        return CALL_WORKFLOW.apply(request.auth_user, obj, name, reason=payload.reason)

    return r


def notifications_router() -> Router:
    r = crud_router(NOTIFICATIONS)

    @r.post("/{id}/read", response={200: s.NotificationOut, **WRITE_ERRORS},
            **operation("notification_read", "Mark a notification as read"))
    def read(request, id: int, payload: s.StepIn):
        obj = get_scoped(NOTIFICATIONS, request.auth_user, id, "change")
        return services.mark_read(request.auth_user, obj)

    return r


def _fits_out(user, subject, fits, as_of, subscribed=None) -> dict:
    return {"as_of": as_of, "subject": {"id": subject.pk, "name": subject.name}, "subscribed": subscribed,
            "fits": [f.as_dict() for f in fits]}


def firm_fits_router() -> Router:
    r = Router(tags=["policy fits"])

    @r.get("/{id}", response={200: s.FitsOut, **OBJECT_ERRORS},
           **operation("firm_fits", "Which policies fit a firm: entitled now, would be entitled if …, not applicable"))
    def fits(request, id: int, as_of: datetime.date | None = None):
        day = as_of or default_as_of()
        result = services.firm_fits(request.auth_user, id, day)
        firm = services.fit.firm_for(request.auth_user, id)
        return _fits_out(request.auth_user, firm, result, day, Subscription.objects.filter(firm=firm).exists())

    @r.post("/{id}/subscription", response={200: dict, **WRITE_ERRORS},
            **operation("firm_subscribe", "Be notified (or no longer) when a new policy fits the firm"))
    def subscribe(request, id: int, payload: s.PolicySubscribeIn):
        firm = services.fit.firm_for(request.auth_user, id)
        if payload.subscribed:
            services.subscribe(request.auth_user, firm)
        else:
            services.unsubscribe(request.auth_user, firm)
        return {"firm_id": firm.pk, "subscribed": Subscription.objects.filter(firm=firm).exists()}

    return r


def carrier_fits_router() -> Router:
    r = Router(tags=["policy fits"])

    @r.get("/{id}", response={200: s.FitsOut, **OBJECT_ERRORS},
           **operation("carrier_fits", "Which policies fit a carrier: entitled now, or not (why)"))
    def fits(request, id: int, as_of: datetime.date | None = None):
        day = as_of or _today()
        result = services.carrier_fits(request.auth_user, id, day)
        carrier = Carrier.objects.restrict(request.auth_user).get(pk=id)
        return _fits_out(request.auth_user, carrier, result, day)

    return r


def operator_fits_router() -> Router:
    r = Router(tags=["policy fits"])

    @r.get("/{id}", response={200: s.FitsOut, **OBJECT_ERRORS},
           **operation("operator_fits", "Which policies fit a carrier operator: entitled now, would be entitled "
                                        "if …, not applicable"))
    def fits(request, id: int, as_of: datetime.date | None = None):
        day = as_of or default_as_of()
        result = services.operator_fits(request.auth_user, id, day)
        organisation = Organisation.objects.restrict(request.auth_user).get(pk=id)
        return _fits_out(request.auth_user, organisation, result, day)

    return r


def routers() -> dict[str, Router]:
    """URL prefix → router; api.py mounts each under /api/v1/<prefix>."""
    return {"policies": policies_router(), "entitlements": entitlements_router(), "payouts": payouts_router(),
            "applications": applications_router(), "calls": calls_router(), "notifications": notifications_router(),
            "firm-fits": firm_fits_router(), "carrier-fits": carrier_fits_router(),
            "operator-fits": operator_fits_router(),
            "policy-feedback": crud_router(FEEDBACK), "fit-notices": crud_router(FIT_NOTICES),
            "policy-subscriptions": crud_router(SUBSCRIPTIONS)}
