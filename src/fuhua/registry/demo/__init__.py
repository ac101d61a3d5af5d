"""Demo data: a deterministic, calibrated incubation network (small, province or national scale)."""

from .accounts import PASSWORD, ensure_demo_accounts
from .loader import load_demo

__all__ = ["PASSWORD", "ensure_demo_accounts", "load_demo"]
