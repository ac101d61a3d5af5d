"""The evaluation items of the dashboard's inbox: appeals to decide (bureaus) and reviews assigned to an
expert and not yet scored. Registered from EvaluationConfig.ready(); one COUNT each, restricted."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.inbox import register_inbox_item

from .models import Appeal, AppealStatus, ExpertAssignment, RunStatus


def _reviews_to_score(user) -> int:
    return (ExpertAssignment.objects.restrict(user).filter(expert=user, run__status=RunStatus.COMPUTED,
                                                           scores__isnull=True).count())


def register() -> None:
    register_inbox_item(
        "evaluation.appeals", gettext_lazy("appeals against evaluation results to decide"), {Role.BUREAU, Role.ADMIN},
        count=lambda user, today: Appeal.objects.restrict(user).filter(status=AppealStatus.PENDING).count(),
        url=lambda user, today: f"{reverse('evaluation:appeal_list')}?status={AppealStatus.PENDING}", order=30)
    register_inbox_item(
        "evaluation.reviews", gettext_lazy("evaluation reviews assigned to you and not yet scored"), {Role.EXPERT},
        count=lambda user, today: _reviews_to_score(user),
        url=lambda user, today: f"{reverse('evaluation:evaluationresult_list')}?run_status={RunStatus.COMPUTED}",
        order=30)
