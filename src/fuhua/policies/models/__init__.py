"""Policies, budgets, calls; entitlements with their confirmation and notifications; the append-only
payout ledger; applications with attachments."""

from .application import Application, ApplicationStatus, Attachment
from .entitlement import BeneficiaryKind, Confirmation, Entitlement, EntitlementRun, EntitlementStatus, Notification
from .firm_service import Feedback, FitNotice, Subscription
from .ledger import LedgerError, Payout, PayoutKind
from .policy import Budget, Call, CallStatus, Policy

__all__ = [
    "Application", "ApplicationStatus", "Attachment", "BeneficiaryKind", "Budget", "Call", "CallStatus",
    "Confirmation", "Entitlement", "EntitlementRun", "EntitlementStatus", "Feedback", "FitNotice", "LedgerError",
    "Notification", "Payout", "PayoutKind", "Policy", "Subscription",
]
