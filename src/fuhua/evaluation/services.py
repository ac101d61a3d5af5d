"""Evaluation services. Other apps (policies) read grades only through `published_grades`."""

from __future__ import annotations

from .models import EvaluationResult, RunStatus


def published_grades(period: int, carrier_ids=None, scheme: str | None = None) -> dict[int, str]:
    """carrier id → grade of its latest published (or appeal-closed) run for `period`.

    A later run for the same carrier and period (a re-run after appeals) replaces an earlier one.
    """
    results = EvaluationResult.objects.filter(
        run__period=period, run__status__in=[RunStatus.PUBLISHED, RunStatus.CLOSED]
    ).exclude(grade="")
    if scheme:
        results = results.filter(run__scheme=scheme)
    if carrier_ids is not None:
        results = results.filter(carrier_id__in=list(carrier_ids))
    grades: dict[int, str] = {}
    for carrier_id, grade in results.order_by("run__published_at", "run_id").values_list("carrier_id", "grade"):
        grades[carrier_id] = grade
    return grades
