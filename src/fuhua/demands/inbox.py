"""The demands' inbox items (the in-app side of their notifications): responses waiting for the poster's pick,
open challenges a provider or expert may respond to, responses picked, open needs that fit a mentor or an
investor (what matching tells them), and the poster's needs near or past their deadline. One COUNT each."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item
from fuhua.dealflow.models import Fund
from fuhua.registry.models import InvestorProfile, MentorProfile

from .models import Challenge, ChallengeResponse, ChallengeStatus, Demand, DemandKind, DemandStatus, ResponseStatus
from .workflow import poster_firms

SOON = 7  # days before a deadline that the poster is reminded


def _fitting(user, today) -> int:
    """Open needs in the fields of the user's mentor or investor profile (the matching's field reason)."""
    fields, financing = set(), False
    for grant in RoleGrant.objects.filter(user=user, role__in=(Role.MENTOR, Role.INVESTOR)):
        if grant.mentor_id:
            fields |= set(MentorProfile.objects.filter(pk=grant.mentor_id).values_list("industry_field", flat=True))
        if grant.investor_id:
            financing = True
            inv = InvestorProfile.objects.filter(pk=grant.investor_id).values_list("focus_field", "institution_id")
            for focus, institution in inv:
                fields.add(focus)
                for codes in Fund.objects.filter(institution_id=institution).values_list("industry_fields", flat=True):
                    fields |= set(codes or [])
    if not fields:
        return 0
    qs = Demand.objects.restrict(user).filter(status=DemandStatus.OPEN, deadline__gte=today, industry_field__in=fields)
    if financing and not MentorProfile.objects.filter(pk__in=RoleGrant.objects.filter(
            user=user, role=Role.MENTOR).values("mentor_id")).exists():
        qs = qs.filter(kind=DemandKind.FINANCING)
    return qs.count()


def awaiting_pick(user):
    """Open challenges with responses waiting for `user`'s pick (a firm's challenge is the firm's to decide)."""
    return Challenge.objects.restrict(user, "change").filter(
        Q(firm__isnull=True) | Q(firm_id__in=poster_firms(user)), status=ChallengeStatus.OPEN,
        pk__in=ChallengeResponse.objects.filter(status=ResponseStatus.SUBMITTED).values("challenge_id"))


def respondable(user, today):
    return Challenge.objects.restrict(user).filter(status=ChallengeStatus.OPEN, deadline__gte=today)


def due_soon(user, today):
    return Demand.objects.restrict(user, "change").filter(
        status=DemandStatus.OPEN, deadline__gte=today, deadline__lte=today + datetime.timedelta(days=SOON))


def register() -> None:
    # Each item's link opens a list filtered to exactly what it counts (demands.forms: the list filters).
    register_inbox_item(
        "demands.responses", gettext_lazy("challenge responses waiting for your pick"), {Role.BUREAU, Role.FIRM},
        count=lambda user, today: awaiting_pick(user).count(),
        url=lambda user, today: f"{reverse('demands:challenge_list')}?work=awaiting", order=84)
    register_inbox_item(
        "demands.open_challenges", gettext_lazy("open challenges (揭榜挂帅) you may respond to"),
        {Role.SERVICE_PROVIDER, Role.EXPERT},
        count=lambda user, today: respondable(user, today).count(),
        url=lambda user, today: f"{reverse('demands:challenge_list')}?work=respondable", order=85)
    register_inbox_item(
        "demands.picked", gettext_lazy("your challenge responses picked"), {Role.SERVICE_PROVIDER, Role.EXPERT},
        count=lambda user, today: ChallengeResponse.objects.restrict(user).filter(
            status=ResponseStatus.PICKED).count(),
        url=lambda user, today: f"{reverse('demands:challengeresponse_list')}?status={ResponseStatus.PICKED}",
        order=86)
    register_inbox_item(
        "demands.fitting", gettext_lazy("open needs of firms that fit you"), {Role.MENTOR, Role.INVESTOR},
        count=_fitting, url=lambda user, today: reverse("demands:fits"), order=87)
    register_inbox_item(
        "demands.due", gettext_lazy("your open needs due within a week"), {Role.FIRM, Role.OPERATOR},
        count=lambda user, today: due_soon(user, today).count(),
        url=lambda user, today: f"{reverse('demands:demand_list')}?work=due", order=88)
    register_inbox_item(
        "demands.open", gettext_lazy("your open needs, with their matches"), {Role.FIRM},
        count=lambda user, today: Demand.objects.restrict(user, "change").filter(status=DemandStatus.OPEN).count(),
        url=lambda user, today: f"{reverse('demands:demand_list')}?status={DemandStatus.OPEN}", order=89)
