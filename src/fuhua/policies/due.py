"""One amount due to one beneficiary under one item of a policy (what a computation yields, before it is saved)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass
class Due:
    carrier_id: int | None  # a firm's due: None; a team's: the carrier hosting it (its operator confirms)
    item: str
    group: str
    key: str
    amount_fen: int
    region_code: str
    priority_on: datetime.date | None
    recognition_id: int | None
    firm_id: int | None = None
    team_id: int | None = None
    operator_id: int | None = None
    person_id: int | None = None

    @property
    def beneficiary(self) -> tuple[str, int]:
        if self.firm_id is not None:
            return ("firm", self.firm_id)
        if self.team_id is not None:
            return ("team", self.team_id)
        if self.operator_id is not None:
            return ("operator", self.operator_id)
        if self.person_id is not None:
            return ("person", self.person_id)
        return ("carrier", self.carrier_id)
