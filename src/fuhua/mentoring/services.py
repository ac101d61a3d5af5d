"""Mentoring services: propose a pairing (the mentor and the firm are told in the app and by e-mail), take its
workflow steps, log sessions, give feedback. Writes go through core.services (scope, references, validation)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core import services as core

from .models import Feedback, Pairing, PairingStatus, ServiceLog
from .workflow import PAIRING_WORKFLOW


def people_of(pairing: Pairing) -> list:
    """The accounts told about a pairing: the mentor's own, and the firm's."""
    q = Q(role=Role.MENTOR, mentor_id=pairing.mentor.profile_id)
    if pairing.firm_id:
        q |= Q(role=Role.FIRM, firm_id=pairing.firm_id)
    grants = RoleGrant.objects.filter(q, user__is_active=True).select_related("user")
    return list({g.user_id: g.user for g in grants}.values())


def notify(pairing: Pairing, subject: str) -> int:
    """Mail the people of the pairing (the in-app notice is their inbox: mentoring.inbox). Returns mails sent."""
    recipients = [u.email for u in people_of(pairing) if u.email]
    if not recipients:
        return 0
    body = _("%(subject)s\n\nMentor: %(mentor)s\nMentee: %(mentee)s\nGoals: %(goals)s\nFrom %(start)s to %(end)s.") % {
        "subject": subject, "mentor": pairing.mentor, "mentee": pairing.mentee, "goals": pairing.goals,
        "start": pairing.starts_on, "end": pairing.ends_on}
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)


@transaction.atomic
def propose_pairing(user, data: dict) -> Pairing:
    pairing = core.create_object(user, Pairing, data)
    transaction.on_commit(lambda: notify(pairing, _("New mentoring pairing proposed")))
    return pairing


@transaction.atomic
def transition(user, pairing: Pairing, name: str, reason: str = "", **kwargs) -> Pairing:
    PAIRING_WORKFLOW.apply(user, pairing, name, reason=reason, **kwargs)
    if name == "activate":
        transaction.on_commit(lambda: notify(pairing, _("Mentoring pairing started")))
    return pairing


def log_session(user, data: dict) -> ServiceLog:
    """A session within a pairing; one for a firm or team not paired with the mentor is refused on that field."""
    return core.create_object(user, ServiceLog, data)


def give_feedback(user, pairing: Pairing, score: int, comment: str = "") -> Feedback:
    return core.create_object(user, Feedback, {"pairing": pairing, "score": score, "comment": comment})


def active_pairings(mentor) -> int:
    return Pairing.objects.filter(mentor=mentor, status=PairingStatus.ACTIVE).count()
