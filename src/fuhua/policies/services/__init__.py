"""Policy services: sync from packs, 免申即享 runs, confirmations, the ledger, what-if, applications."""

from .feedback import feedback_summary, give_feedback, may_give_feedback
from .fit import carrier_fits, firm_fits, operator_fits
from .ledger import ledger_totals, pay, reverse
from .push import firm_changed, operator_changed, people_changed, publish, reach, subscribe, unsubscribe
from .runs import confirm, mark_read, may_confirm, run_entitlements
from .simulate import simulate
from .sync import policy_row, sync_policies

__all__ = [
           "carrier_fits",
           "confirm",
           "feedback_summary",
           "firm_changed",
           "firm_fits",
           "give_feedback",
           "ledger_totals",
           "mark_read",
           "may_confirm",
           "may_give_feedback",
           "operator_changed",
           "operator_fits",
           "pay",
           "people_changed",
           "policy_row",
           "publish",
           "reach",
           "reverse",
           "run_entitlements",
           "simulate",
           "subscribe",
           "sync_policies",
           "unsubscribe",
]
