"""Mirror the bundled policy packs into Policy and Budget rows (budgets only where none exists yet:
a budget changed by the bureau is never overwritten by the pack's planning figure)."""

from __future__ import annotations

import datetime

from django.db import transaction

from .. import packs
from ..models import Budget, Policy


def _date(value) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(str(value))


@transaction.atomic
def sync_policies() -> dict[str, Policy]:
    rows = {}
    for code, policy in packs.bundled().items():
        doc = policy.pack.document
        values = {
            "title": policy.pack.title, "document_number": doc.number, "issuer": doc.issuer,
            "region_id": policy.meta.region, "needs_application": policy.meta.needs_application,
            "effective_from": _date(policy.pack.effective_from), "effective_to": _date(policy.pack.effective_to),
            "beneficiary": policy.beneficiary,
        }
        row = Policy.objects.filter(code=code).first()
        if row is None:
            # A carrier policy is in force as published; a firm-level one waits for the bureau (services.push).
            published = None if policy.firm_level else values["effective_from"]
            row = Policy.objects.create(code=code, published_on=published, **values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
        for year, fen in policy.meta.budget.items():
            Budget.objects.get_or_create(policy=row, year=year, defaults={"amount_fen": fen})
        rows[code] = row
    return rows


def policy_row(code: str) -> Policy:
    packs.get(code)  # unknown codes fail with the list of known ones
    row = Policy.objects.filter(code=code).first()
    return row if row is not None else sync_policies()[code]
