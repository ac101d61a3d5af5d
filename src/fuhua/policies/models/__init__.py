"""Policies, budgets, calls; entitlements with their confirmation and notifications; the append-only
payout ledger; applications with attachments."""

from .application import Application, ApplicationStatus, Attachment
from .entitlement import Confirmation, Entitlement, EntitlementRun, EntitlementStatus, Notification
from .ledger import LedgerError, Payout, PayoutKind
from .policy import Budget, Call, CallStatus, Policy

__all__ = [
    "Application", "ApplicationStatus", "Attachment", "Budget", "Call", "CallStatus", "Confirmation", "Entitlement",
    "EntitlementRun", "EntitlementStatus", "LedgerError", "Notification", "Payout", "PayoutKind", "Policy",
]
