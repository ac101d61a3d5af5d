"""Policy services: sync from packs, 免申即享 runs, confirmations, the ledger, what-if, applications."""

from .ledger import ledger_totals, pay, reverse
from .runs import confirm, mark_read, may_confirm, run_entitlements
from .simulate import simulate
from .sync import policy_row, sync_policies

__all__ = [
           "confirm",
           "ledger_totals",
           "mark_read",
           "may_confirm",
           "pay",
           "policy_row",
           "reverse",
           "run_entitlements",
           "simulate",
           "sync_policies",
]
