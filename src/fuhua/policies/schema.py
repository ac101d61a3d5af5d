"""The carrier attributes policies need beyond the national schema (filled by `population.py`).

Names are the contract between the policy packs (YAML) and the Django side. Levels and grades are
never missing: "none" stands for no recognition / no published grade, so `lookup` and `in` need no
guards in the packs.
"""

from __future__ import annotations

from fuhua.rules import Attribute, Schema, default_schema

A = Attribute

POLICY_ATTRIBUTES = [
    A("in_jurisdiction", "bool", "the carrier's region, or the administering region of an enclave, lies under the "
      "policy's region", default=False),
    A("operator_ownership", "str", "the operator's ownership type (state_owned, private, foreign, …), or none "
      "when not recorded"),
    A("highest_level", "str", "highest recognition level active on the as-of date, or none"),
    A("level_before", "str", "highest level granted before the period started (and not revoked), or none"),
    A("new_level", "str", "highest level newly granted in the period (up to the as-of date), or none"),
    *[A(f"new_{level}", "bool", f"{level} level newly granted in the period (every level reached counts, not "
        "only the highest)", default=False) for level in ("national", "provincial", "municipal", "county_city",
                                                          "district")],
    A("grade", "str", "published evaluation grade of the policy's evaluation period, or none"),
    A("approved_claim_fen", "int", "amount approved in the carrier's application for this policy", "fen", 0),
    A("recognised_since", "date", "earliest grant date of the recognitions active on the as-of date"),
]


def policy_schema(groups=(), offsets=()) -> Schema:
    """National schema + policy attributes + one paid-amount attribute per ledger group and offset."""
    extra = [A(f"paid_{g}_fen", "int", f"already paid under group {g} (ledger)", "fen", 0) for g in groups]
    extra += [A(name, "int", "paid or due under a policy this one does not stack with", "fen", 0) for name in offsets]
    return default_schema().extend("carrier", POLICY_ATTRIBUTES + extra)
