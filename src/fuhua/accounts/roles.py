"""Roles, the scoping dimension each one uses, and what each may do to each model.

Declared as data so that a reviewer can read the whole permission matrix in one place.
Letters: v view, a add, c change, d delete.
"""

from __future__ import annotations

from django.db import models

from fuhua.core.glossary import ROLES


class Role(models.TextChoices):
    """Labels from the glossary (core.glossary.ROLES), the one word for each role in every page and export."""

    ADMIN = "admin", ROLES["admin"]
    BUREAU = "bureau", ROLES["bureau"]
    ASSOCIATION = "association", ROLES["association"]
    OPERATOR = "operator", ROLES["operator"]
    FIRM = "firm", ROLES["firm"]
    SERVICE_PROVIDER = "service_provider", ROLES["service_provider"]
    MENTOR = "mentor", ROLES["mentor"]
    INVESTOR = "investor", ROLES["investor"]
    EXPERT = "expert", ROLES["expert"]
    # 三员分立 (MLPS 2.0): three administrators, none of whom can do the others' work. With a region they
    # act only within it (a bureau's administrators); without, platform-wide.
    SYSTEM_ADMIN = "system_admin", ROLES["system_admin"]
    SECURITY_ADMIN = "security_admin", ROLES["security_admin"]
    AUDIT_ADMIN = "audit_admin", ROLES["audit_admin"]


# Roles that administer others: only a platform-wide administrator may grant them.
ADMIN_ROLES = frozenset({Role.ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The three separated roles: one user holds at most one of them.
SEPARATED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# What each administering role may do to accounts (beyond PERMISSIONS on models):
#   users   list, invite, activate and deactivate users, reset their passwords (system administrator)
#   grants  assign roles and regions (security administrator)
#   locks   see and lift sign-in lockouts (security administrator)
#   tokens  list and revoke other users' API tokens (security administrator)
#   audit   read the audit trail and the security events (audit administrator only)
# The platform administrator (Role.ADMIN) keeps user and role administration for small installations but
# does not read the audit trail; the superuser is for bootstrap only.
ACCOUNT_POWERS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"users", "grants", "locks", "tokens"}),
    Role.SYSTEM_ADMIN: frozenset({"users"}),
    Role.SECURITY_ADMIN: frozenset({"grants", "locks", "tokens"}),
    Role.AUDIT_ADMIN: frozenset({"audit"}),
}


admin_label = Role.ADMIN.label  # what a superuser's role reads as (core.context_processors)

# Which Scope dimension a role is limited by, and which RoleGrant field holds its value.
ROLE_DIMENSION: dict[str, tuple[str, str] | None] = {
    Role.ADMIN: None,
    Role.BUREAU: ("region", "region"),
    Role.ASSOCIATION: ("association", "organisation"),
    Role.OPERATOR: ("operator", "organisation"),
    Role.FIRM: ("firm", "firm"),
    Role.SERVICE_PROVIDER: ("organisation", "organisation"),
    Role.MENTOR: ("mentor", "mentor"),
    Role.INVESTOR: ("investor", "investor"),
    Role.EXPERT: ("expert", "user"),
    Role.SYSTEM_ADMIN: ("region", "region"),
    Role.SECURITY_ADMIN: ("region", "region"),
    Role.AUDIT_ADMIN: ("region", "region"),
}

_REFERENCE = {"registry.region": "v", "policies.policy": "v", "policies.call": "v"}  # public to every role
# Policies: bureaus run entitlements, pay, correct payouts (reversing entries: `change` on the append-only
# ledger) and decide applications; operators confirm entitlements (`change`), apply, read their ledger.
_POLICIES_BUREAU = {"policies.policy": "vc", "policies.budget": "vacd", "policies.call": "vacd",
                    "policies.entitlementrun": "v", "policies.entitlement": "v", "policies.confirmation": "v",
                    "policies.notification": "v", "policies.payout": "vac", "policies.application": "vc",
                    "policies.attachment": "v", "policies.feedback": "v", "policies.fitnotice": "v",
                    "policies.subscription": "v"}
_POLICIES_OPERATOR = {"policies.entitlement": "vc", "policies.confirmation": "va", "policies.notification": "vc",
                      "policies.payout": "v", "policies.application": "vac", "policies.attachment": "va",
                      "policies.feedback": "va"}
# Firms: their own entitlements under firm-level policies (confirm the account, rate after payment), what they
# were told fits them, and their subscription to new fitting policies.
_POLICIES_FIRM = {"policies.entitlement": "vc", "policies.confirmation": "va", "policies.notification": "vc",
                  "policies.payout": "v", "policies.feedback": "va", "policies.fitnotice": "v",
                  "policies.subscription": "vad"}
# Annual statistics: carriers fill in and submit, bureaus review; associations get aggregates only.
_STATISTICS = {"statistics.annualreport": "vac", "statistics.reportvalue": "vac", "statistics.fieldcomment": "vac",
               "statistics.reminder": "v"}
# Evaluation: bureaus run and decide; operators see their published results and appeal; experts score
# what they are assigned (the `expert` scope dimension: the grant's own user).
_EVALUATION_BUREAU = {"evaluation.evaluationrun": "vacd", "evaluation.runsnapshot": "v",
                      "evaluation.evaluationresult": "v", "evaluation.indicatorscore": "v",
                      "evaluation.expertassignment": "vacd", "evaluation.expertscore": "v", "evaluation.appeal": "vc"}
_EVALUATION_OPERATOR = {"evaluation.evaluationresult": "v", "evaluation.indicatorscore": "v",
                        "evaluation.appeal": "va"}
_EVALUATION_EXPERT = {"registry.carrier": "v", "evaluation.evaluationrun": "v", "evaluation.evaluationresult": "v",
                      "evaluation.indicatorscore": "v", "evaluation.expertassignment": "vc",
                      "evaluation.expertscore": "vac"}

# --- the service and regional layers: one section per app, merged into the tables below --------------
# Each app's section lists, per role, the model permissions it adds (letters as above), the fields that role
# may not write, and the action a write needs on what it refers to. Kept here, beside the rest of the matrix,
# so that one file still reads as the whole permission model.
# Marketplace (服务超市): providers keep their own listing, qualifications and catalogue (the organisation
# dimension); bureaus list, suspend and delist providers registered or serving in their region and approve
# their products; firms and operators read the public catalogue (listed providers, published products,
# their qualifications and ratings: marketplace.models.Catalogue); firms rate.
_MARKETPLACE_READ = {"marketplace.servicecategory": "v", "marketplace.programmecode": "v",
                     "marketplace.provider": "v", "marketplace.qualification": "v", "marketplace.product": "v",
                     "marketplace.rating": "v"}
_MARKETPLACE: dict[str, dict[str, str]] = {  # role → {"marketplace.model": letters}
    Role.BUREAU: {**_MARKETPLACE_READ, "marketplace.provider": "vac", "marketplace.product": "vc",
                  "marketplace.approvalsetting": "vacd"},
    Role.OPERATOR: dict(_MARKETPLACE_READ),
    Role.FIRM: {**_MARKETPLACE_READ, "marketplace.rating": "va"},
    Role.SERVICE_PROVIDER: {**_MARKETPLACE_READ, "marketplace.provider": "vac", "marketplace.qualification": "vacd",
                            "marketplace.product": "vacd"},
}
_MARKETPLACE_PROTECTED: dict[str, dict[str, frozenset[str]]] = {}  # a provider's own: REFERENCES below
_MARKETPLACE_REFERENCES: dict[str, dict[str, str]] = {  # "marketplace.model" → {field: action}
    "marketplace.provider": {"organisation": "change"},
    "marketplace.qualification": {"provider": "change"},
    "marketplace.product": {"provider": "change"},
    "marketplace.rating": {"firm": "change"},
}

# Vouchers: the bureau sets up programmes and batches, reviews redemptions, settles (ledger `add`; a reversal
# is `change` on the append-only ledger, as for payouts) and audits; a firm claims (`add` voucher) and orders;
# a provider confirms, delivers (evidence) and applies for redemption. Workflow steps are guarded per actor.
_VOUCHERS: dict[str, dict[str, str]] = {
    Role.BUREAU: {"vouchers.voucherprogramme": "vc", "vouchers.batch": "vac", "vouchers.slot": "v",
               "vouchers.voucher": "v", "vouchers.eligibilitycheck": "v", "vouchers.order": "v",
               "vouchers.deliveryevidence": "v", "vouchers.redemption": "vc", "vouchers.settlemententry": "vac",
               "vouchers.auditsample": "va", "vouchers.audititem": "vc"},
    Role.FIRM: {"vouchers.voucherprogramme": "v", "vouchers.batch": "v", "vouchers.voucher": "va",
             "vouchers.eligibilitycheck": "v", "vouchers.order": "vac", "vouchers.deliveryevidence": "v",
             "vouchers.redemption": "v", "vouchers.settlemententry": "v"},
    Role.SERVICE_PROVIDER: {"vouchers.voucherprogramme": "v", "vouchers.batch": "v", "vouchers.voucher": "v",
                         "vouchers.order": "vc", "vouchers.deliveryevidence": "va", "vouchers.redemption": "va",
                         "vouchers.settlemententry": "v", "vouchers.audititem": "v"},
}
# What each role may not set through a generic write: the parties and amounts of an order are set by the
# services (frozen at order time), a batch's figures come from the pack or the bureau's add_batch.
_ORDER_FIXED = frozenset({"voucher", "firm", "product", "provider", "status"})
_VOUCHERS_PROTECTED: dict[str, dict[str, frozenset[str]]] = {
    Role.FIRM: {"vouchers.order": _ORDER_FIXED},
    Role.SERVICE_PROVIDER: {"vouchers.order": _ORDER_FIXED},
}
_VOUCHERS_REFERENCES: dict[str, dict[str, str]] = {
    "vouchers.deliveryevidence": {"order": "change"},
    "vouchers.redemption": {"order": "change"},
}

# The service desk: firms and carrier operators open requests for themselves, write messages and rate;
# the bureau designates its staff as service stewards (服务管家) and sees the region's requests; who takes
# which step (assign, answer, resolve, rate) is decided by the desk's workflow guards.
_DESK_REQUESTER = {"desk.servicerequest": "vac", "desk.message": "va", "desk.attachment": "va", "desk.notice": "vc"}
_DESK: dict[str, dict[str, str]] = {
    Role.BUREAU: {"desk.steward": "vacd", "desk.servicerequest": "vc", "desk.message": "va", "desk.attachment": "va",
                  "desk.notice": "vc"},
    Role.FIRM: _DESK_REQUESTER,
    Role.OPERATOR: _DESK_REQUESTER,
}
_DESK_PROTECTED: dict[str, dict[str, frozenset[str]]] = {}
_DESK_REFERENCES: dict[str, dict[str, str]] = {}

# Steering: a bureau sets its region's targets and builds its region's development reports (snapshots are
# kept as published: created and deleted, never changed).
_STEERING: dict[str, dict[str, str]] = {
    Role.BUREAU: {"steering.target": "vacd", "steering.reportsnapshot": "vad"},
}
_STEERING_PROTECTED: dict[str, dict[str, frozenset[str]]] = {}
_STEERING_REFERENCES: dict[str, dict[str, str]] = {}

# One network: the platform administrator (all) and a platform-wide system administrator keep the instance's
# peers (registering a parent or child is theirs); peers, sources and packages have no region, so a
# region-limited administrator sees none of them.
_FEDERATION: dict[str, dict[str, str]] = {
    Role.SYSTEM_ADMIN: {"federation.instance": "v", "federation.peer": "vac", "federation.origin": "v",
                        "federation.packagelog": "v", "federation.figure": "v"},
    Role.BUREAU: {"federation.figure": "v"},  # the shared figures of the regions below it (scoped by region)
}
_FEDERATION_PROTECTED: dict[str, dict[str, frozenset[str]]] = {}
_FEDERATION_REFERENCES: dict[str, dict[str, str]] = {}

# Mentoring: bureaus keep the region's mentor pool (sharing a province pool with cities: mentoring.models) and
# pair; operators pair their tenants with their carriers' mentors; a mentor accepts, ends and logs sessions
# within their pairings; a firm reads its pairings and logs and gives feedback.
_MENTORING_READ = {"mentoring.poolmentor": "v", "mentoring.pairing": "v", "mentoring.servicelog": "v",
                   "mentoring.feedback": "v"}
_MENTORING: dict[str, dict[str, str]] = {
    Role.BUREAU: {**_MENTORING_READ, "mentoring.poolmentor": "vacd", "mentoring.pairing": "vac"},
    Role.OPERATOR: {**_MENTORING_READ, "mentoring.pairing": "vac"},
    Role.MENTOR: {**_MENTORING_READ, "mentoring.poolmentor": "vc", "mentoring.pairing": "vc",
                  "mentoring.servicelog": "vacd"},
    Role.FIRM: {**_MENTORING_READ, "mentoring.feedback": "va"},
}
_MENTORING_PROTECTED: dict[str, dict[str, frozenset[str]]] = {
    Role.MENTOR: {"mentoring.poolmentor": frozenset({"profile", "shared_with"}),
                  "mentoring.pairing": frozenset({"mentor", "firm", "team", "carrier"})},
}
_MENTORING_REFERENCES: dict[str, dict[str, str]] = {"mentoring.pairing": {"carrier": "change"}}
_EVENTS_READ = {"events.event": "v", "events.eventseries": "v", "events.registration": "v",
                "events.eventfeedback": "v"}
# Competitions and roadshows: organisers set up rounds, draw panels and announce results; firms apply (and
# withdraw); panel experts score their rounds' applications; invited investors record investment intents.
_EVENTS_ORGANISER = {"events.event": "vacd", "events.eventseries": "vacd", "events.registration": "vac",
                     "events.eventfeedback": "v", "events.round": "vacd", "events.application": "vac",
                     "events.score": "v", "events.investmentintent": "v"}
_EVENTS: dict[str, dict[str, str]] = {
    Role.BUREAU: _EVENTS_ORGANISER, Role.ASSOCIATION: _EVENTS_ORGANISER, Role.OPERATOR: _EVENTS_ORGANISER,
    Role.FIRM: {"events.event": "v", "events.registration": "vac", "events.eventfeedback": "va",
                "events.round": "v", "events.application": "vac", "events.investmentintent": "v"},
    Role.EXPERT: {"events.event": "v", "events.round": "v", "events.application": "v", "events.score": "vac"},
    Role.INVESTOR: {"events.event": "v", "events.round": "v", "events.application": "v",
                    "events.investmentintent": "va"},
}
_EVENTS_PROTECTED: dict[str, dict[str, frozenset[str]]] = {}  # scores, applications and intents: services only
_EVENTS_REFERENCES: dict[str, dict[str, str]] = {"events.event": {"carrier": "change", "series": "change"},
                                                 "events.eventseries": {"carrier": "change"},
                                                 "events.round": {"event": "change"}}

# Deal flow: investors keep their institution's funds and move its deals; operators post their tenants'
# financing needs, introduce deals and station investors at their carriers; bureaus see and export the
# region's pipeline and may do the same; a firm posts its own needs and follows its deals.
_DEALFLOW_READ = {"dealflow.fund": "v", "dealflow.stationing": "v", "dealflow.financingneed": "v",
                  "dealflow.deal": "v"}
_DEALFLOW: dict[str, dict[str, str]] = {
    Role.BUREAU: {**_DEALFLOW_READ, "dealflow.stationing": "vacd", "dealflow.financingneed": "vac",
                  "dealflow.deal": "vac"},
    Role.OPERATOR: {**_DEALFLOW_READ, "dealflow.stationing": "vacd", "dealflow.financingneed": "vac",
                    "dealflow.deal": "vac"},
    Role.INVESTOR: {**_DEALFLOW_READ, "dealflow.fund": "vacd", "dealflow.deal": "vc"},
    Role.FIRM: {**_DEALFLOW_READ, "dealflow.financingneed": "vac"},
}
_DEALFLOW_PROTECTED: dict[str, dict[str, frozenset[str]]] = {
    Role.INVESTOR: {"dealflow.fund": frozenset({"institution"}),
                    "dealflow.deal": frozenset({"firm", "need", "institution", "status"})},
}
_DEALFLOW_REFERENCES: dict[str, dict[str, str]] = {"dealflow.stationing": {"carrier": "change"}}

# Demands and challenges (揭榜挂帅, fuhua.demands): a firm posts its needs (an operator posts its tenants' and
# teams') and its challenges, and picks a response to them; a bureau publishes its region's challenges and picks;
# providers (their organisation: providers, universities, institutes) and experts respond; mentors, investors,
# providers and experts read the open needs published to the network (demands.models.PublishedQuerySet).
_DEMANDS_READ = {"demands.demand": "v", "demands.challenge": "v"}
_DEMANDS_RESPONDER = {**_DEMANDS_READ, "demands.challengeresponse": "vac"}
_DEMANDS: dict[str, dict[str, str]] = {
    Role.BUREAU: {"demands.demand": "v", "demands.challenge": "vacd", "demands.challengeresponse": "vc"},
    Role.OPERATOR: {"demands.demand": "vac", "demands.challenge": "v"},
    Role.FIRM: {"demands.demand": "vac", "demands.challenge": "vac", "demands.challengeresponse": "vc"},
    Role.SERVICE_PROVIDER: _DEMANDS_RESPONDER,
    Role.EXPERT: _DEMANDS_RESPONDER,
    Role.MENTOR: _DEMANDS_READ,
    Role.INVESTOR: _DEMANDS_READ,
}
# The poster decides on a response (its workflow) but does not rewrite it: no page or API edits a response (its
# proposal and price stay as submitted), and who responded to which challenge is fixed.
_RESPONSE_FIXED = frozenset({"challenge", "organisation", "expert", "status"})
_DEMANDS_PROTECTED: dict[str, dict[str, frozenset[str]]] = {
    Role.BUREAU: {"demands.challengeresponse": _RESPONSE_FIXED},
    Role.FIRM: {"demands.challengeresponse": _RESPONSE_FIXED},
}
_DEMANDS_REFERENCES: dict[str, dict[str, str]] = {}

_SECTIONS = (
    (_MARKETPLACE, _MARKETPLACE_PROTECTED, _MARKETPLACE_REFERENCES),
    (_VOUCHERS, _VOUCHERS_PROTECTED, _VOUCHERS_REFERENCES),
    (_DESK, _DESK_PROTECTED, _DESK_REFERENCES),
    (_STEERING, _STEERING_PROTECTED, _STEERING_REFERENCES),
    (_FEDERATION, _FEDERATION_PROTECTED, _FEDERATION_REFERENCES),
    (_MENTORING, _MENTORING_PROTECTED, _MENTORING_REFERENCES),
    (_EVENTS, _EVENTS_PROTECTED, _EVENTS_REFERENCES),
    (_DEALFLOW, _DEALFLOW_PROTECTED, _DEALFLOW_REFERENCES),
    (_DEMANDS, _DEMANDS_PROTECTED, _DEMANDS_REFERENCES),
)

PERMISSIONS: dict[str, dict[str, str]] = {
    Role.BUREAU: {
        **_REFERENCE,
        "registry.organisation": "vacd",
        "registry.carrier": "vacd",
        "registry.recognition": "vacd",
        "registry.associationmembership": "vacd",
        "registry.firm": "vacd",
        "registry.firmdesignation": "vacd",
        "registry.startupteam": "vacd",
        "registry.founder": "vacd",  # founders and key people: personal data, the region's bureau
        "registry.mentorprofile": "v",
        "registry.investorprofile": "v",
        "registry.expertprofile": "vacd",  # the expert pool (registry.experts)
        "registry.expertdraw": "va",
        "registry.investment": "vacd",
        "registry.firmyearfigures": "vacd",
        "registry.intellectualproperty": "vacd",
        "registry.seedfund": "vacd",
        "registry.carrierstaffing": "vacd",
        "incubation.incubation": "vacd",
        **_STATISTICS,
        **_EVALUATION_BUREAU,
        **_POLICIES_BUREAU,
    },
    # Associations read their member carriers; firm-level data reaches them only as aggregates.
    Role.ASSOCIATION: {
        **_REFERENCE,
        "registry.carrier": "v",
        "registry.recognition": "v",
        "registry.associationmembership": "v",
        "registry.organisation": "v",
        "registry.seedfund": "v",
        "registry.carrierstaffing": "v",
    },
    Role.OPERATOR: {
        **_REFERENCE,
        "registry.organisation": "vc",
        "registry.carrier": "vc",
        "registry.recognition": "v",
        "registry.firm": "vc",
        "registry.firmdesignation": "vac",
        "registry.startupteam": "vac",
        "registry.mentorprofile": "v",
        "registry.investment": "vac",
        "registry.firmyearfigures": "vac",
        "registry.intellectualproperty": "vac",
        "registry.seedfund": "vac",
        "registry.carrierstaffing": "vac",
        "incubation.incubation": "vac",
        **_STATISTICS,
        **_EVALUATION_OPERATOR,
        **_POLICIES_OPERATOR,
    },
    Role.FIRM: {
        **_REFERENCE,
        "registry.firm": "vc",
        "registry.founder": "vacd",  # its own founders (operators do not see them)
        "registry.firmdesignation": "v",
        "registry.investment": "v",
        "registry.firmyearfigures": "v",
        "registry.intellectualproperty": "v",
        "incubation.incubation": "v",
        **_POLICIES_FIRM,
    },
    Role.SERVICE_PROVIDER: {**_REFERENCE, "registry.organisation": "vc"},
    Role.MENTOR: {**_REFERENCE, "registry.mentorprofile": "vc"},
    Role.INVESTOR: {**_REFERENCE, "registry.investorprofile": "vc"},
    Role.EXPERT: {**_REFERENCE, **_EVALUATION_EXPERT, "registry.expertprofile": "vc", "registry.expertdraw": "v"},
    # Administrators see only what they need to place people: organisations for a new user's home, and
    # (security) the firms and profiles a role grant points to. No domain data beyond that.
    Role.SYSTEM_ADMIN: {**_REFERENCE, "registry.organisation": "v"},
    Role.SECURITY_ADMIN: {**_REFERENCE, "registry.organisation": "v", "registry.firm": "v",
                          "registry.mentorprofile": "v", "registry.investorprofile": "v"},
    Role.AUDIT_ADMIN: {**_REFERENCE},
}

# --- what a write may set ---------------------------------------------------------------------------
# Fields a role may not set through the generic write services (API, pages, imports, CLI), per model
# ("*": every model). They decide scope or standing: moving a carrier to another city, changing who
# operates it, its kind or its status, an organisation's region or kind, attaching oneself to carriers
# or institutions. Workflow states (`status` of carriers, incubations, reports, runs, applications…) are
# non-editable model fields, refused to everyone; `status` is declared here as well, so that a status
# left editable by mistake is still refused to these roles (test_scope_writes checks every model).
# A field counts as written only when its value changes, so a form showing it unchanged still saves.
_STATE = frozenset({"status"})
PROTECTED_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    Role.ASSOCIATION: {"*": _STATE},
    Role.OPERATOR: {
        "*": _STATE,
        "registry.carrier": frozenset({"region", "administering_region", "operator", "kind", "status"}),
        "registry.organisation": frozenset({"region", "kind", "ownership", "credit_code"}),
        "registry.firm": frozenset({"region", "credit_code"}),
        "registry.startupteam": frozenset({"region", "firm"}),
    },
    Role.FIRM: {"*": _STATE, "registry.firm": frozenset({"region", "credit_code"}),
                "registry.founder": frozenset({"team"})},
    Role.SERVICE_PROVIDER: {"*": _STATE,
                            "registry.organisation": frozenset({"region", "kind", "ownership", "credit_code"})},
    Role.MENTOR: {"*": _STATE, "registry.mentorprofile": frozenset({"carriers", "region"})},
    Role.INVESTOR: {"*": _STATE, "registry.investorprofile": frozenset({"institution", "region"})},
    Role.EXPERT: {"*": _STATE, "evaluation.expertassignment": frozenset({"run", "result", "expert"}),
                  "registry.expertprofile": frozenset({"user", "region", "shared_with", "organisation"})},
}

# The action a writer needs on an object a foreign key or many-to-many of a write points to: "view" by
# default (one may refer to what one may see); "change" where the reference grants access: attaching a
# firm or team to a carrier by an incubation makes it the carrier's, so the writer must already hold it
# (a new firm comes in through incubation.lifecycle.register_applicant, which creates it), and
# applications and incubations are filed for carriers the writer runs. Models without a Scope (users)
# are checked by the domain services that set them (e.g. evaluation.review.assign_expert).
REFERENCE_ACTIONS: dict[str, dict[str, str]] = {
    "incubation.incubation": {"firm": "change", "team": "change", "carrier": "change"},
    "policies.application": {"carrier": "change"},
}
# Objects that may be referred to although outside that scope, by a lookup they must NOT match:
# a firm or team without an open tenancy anywhere applies to a carrier by its (public) credit code, so
# an operator may register it (incubation.lifecycle.register_applicant); one with an open tenancy at
# another carrier cannot be taken over. An investment names its investor, a public institution.
OPEN_TENANCY = ("applied", "admitted", "incubating")  # incubation.lifecycle.OPEN_STATUSES, kept equal by a test
_UNATTACHED = {"incubations__status__in": OPEN_TENANCY}
REFERENCE_UNLESS: dict[str, dict[str, dict]] = {
    "incubation.incubation": {"firm": _UNATTACHED, "team": _UNATTACHED},
    "registry.investment": {"investor": {"pk__in": ()}},  # nothing excluded: any institution
    # A mentor logs sessions for the firm or team they are paired with: ServiceLog.clean refuses any other.
    "mentoring.servicelog": {"firm": {"pk__in": ()}, "team": {"pk__in": ()}},
    # A deal names any investment institution, its fund and contact (public institutions; Deal.clean keeps them
    # consistent).
    "dealflow.deal": {"institution": {"pk__in": ()}, "fund": {"pk__in": ()}, "contact": {"pk__in": ()}},
    # An organiser invites any institution's investor contact to a roadshow (public institutions).
    "events.event": {"investors": {"pk__in": ()}},
}


for _permissions, _protected, _references in _SECTIONS:
    for _role, _rows in _permissions.items():
        PERMISSIONS.setdefault(_role, {}).update(_rows)
    for _role, _rows in _protected.items():
        PROTECTED_FIELDS.setdefault(_role, {"*": _STATE}).update(_rows)
    REFERENCE_ACTIONS.update(_references)

def reference_action(model, field_name: str) -> str:
    return REFERENCE_ACTIONS.get(model._meta.label_lower, {}).get(field_name, "view")


def reference_unless(model, field_name: str) -> dict | None:
    return REFERENCE_UNLESS.get(model._meta.label_lower, {}).get(field_name)


def protected_fields(user, model, action: str) -> frozenset[str]:
    """Fields of `model` that `user` may not write: protected for every role of theirs that may `action` it."""
    if user.is_superuser:
        return frozenset()
    label = model._meta.label_lower
    sets = [PROTECTED_FIELDS.get(g.role, {}).get("*", frozenset()) | PROTECTED_FIELDS.get(g.role, {}).get(
        label, frozenset()) for g in grants_of(user) if role_allows(g.role, model, action)]
    return frozenset.intersection(*sets) if sets else frozenset()


# --- who reads the audit trail ------------------------------------------------------------------------
# How much of an object's history a role reads, for objects it may view:
#   "full"    every entry with who (username), the request id, source and values;
#   "values"  every entry and its values, but who did it only when it was the reader, and no request id;
#   "own"     only the entries the reader wrote.
# Bureaus and admins audit; operators keep their carriers' and tenants' records, so they read the values
# but not other people's names or request ids; firms, mentors, investors, providers, experts and
# associations read what they wrote themselves, not the audit details of others. The audit administrator
# (三员分立) reads the full history of every object within its grant (its region, or everywhere), though it
# may view none of the records themselves: HISTORY_WITHOUT_VIEW. The system and security administrators
# read no history of others.
HISTORY_ACCESS: dict[str, str] = {
    Role.ADMIN: "full",
    Role.AUDIT_ADMIN: "full",
    Role.BUREAU: "full",
    Role.OPERATOR: "values",
    Role.ASSOCIATION: "own",
    Role.FIRM: "own",
    Role.SERVICE_PROVIDER: "own",
    Role.MENTOR: "own",
    Role.INVESTOR: "own",
    Role.EXPERT: "own",
}
HISTORY_WITHOUT_VIEW = frozenset({Role.AUDIT_ADMIN})
_HISTORY_ORDER = ("own", "values", "full")


def history_access(user) -> str:
    """The widest history access among the user's roles."""
    levels = [HISTORY_ACCESS.get(role, "own") for role in roles_of(user)] or ["own"]
    return max(levels, key=_HISTORY_ORDER.index)


_LETTER = {"view": "v", "add": "a", "change": "c", "delete": "d"}


def role_allows(role: str, model, action: str) -> bool:
    if role == Role.ADMIN:
        return True
    return _LETTER[action] in PERMISSIONS.get(role, {}).get(model._meta.label_lower, "")


def grants_of(user):
    """The user's role grants, loaded once per user object (a request or a command)."""
    cached = getattr(user, "_fuhua_grants", None)
    if cached is None:
        # The scope objects with them: every page's bar names each grant's scope (core.context_processors).
        cached = list(user.role_grants.select_related("region", "organisation", "firm", "mentor", "investor"))
        user._fuhua_grants = cached
    return cached


def roles_of(user) -> set[str]:
    if user.is_superuser:
        return {Role.ADMIN}
    return {g.role for g in grants_of(user)}
