"""Voucher services: pages, the API, the CLI, the demo and the scheduled task call these (SERVICES).

Every function takes the acting user first (`core.system.SYSTEM` for the platform itself), checks role and
scope, validates its input (ValidationError keyed by field; Conflict for the wrong state or a duplicate;
PermissionDenied for the wrong actor), and writes in one transaction: nothing is half-written.

Programmes and batches (`programmes`)
- `setup(user, codes=None)` → [VoucherProgramme]: sync the bundled packs (regions, programme rows, draft batches),
  and register each programme with the marketplace's catalogue
- `sync_programme(user, code)` → VoucherProgramme
- `add_batch(user, programme, *, number, title, budget_fen, opens_at, closes_at)` → Batch (draft; face value from
  the pack in force at opening; budget a whole number of vouchers)
- `publish_batch(user, batch)` → Batch: cut the budget into slots; claimable from `opens_at`
- `close_batch(user, batch, reason)` → Batch

Eligibility (`eligibility`)
- `eligibility(programme, firm, on=None)` → EligibilityCheck (eligible, reason naming each failed rule and citation),
  stored for the day (the claim path)
- `assess(programme, firm, on=None)` → the same check for a page: the stored one, or evaluated and not stored
- `precompute(programme, on=None)` → int: evaluate every firm of the region for the day (before a rush)
- `evaluate(programme_pack, firm_ids, as_of)` → {firm_id: (eligible, reason)}

Claims (`claims`)
- `claim(user, batch, idempotency_key, *, firm=None, now=None)` → ClaimResult(code, reason, voucher, replay);
  code: claimed | sold_out | limit_reached | not_eligible | not_open | closed | busy (constants in `claims`);
  raises `claims.OutOfScope` (a PermissionDenied) when the firm's account does not see the batch
- `claimable_batch(pk)` → Batch | None: the batch by key with its programme and region (the claim decides the scope)

Orders (`orders`)
- `place_order(user, voucher, product, *, note="", on=None)` → Order (price frozen; co-pay from the pack)
- `copay(terms, price_fen, face_fen)` → (covered_fen, firm_pays_fen, rule in words)
- `confirm_order(user, order, on=None)`, `decline_order(user, order, reason)`, `cancel_order(user, order, reason)`
- `add_evidence(user, order, title, file)` → DeliveryEvidence (provider; bounded upload)
- `deliver(user, order, note="", on=None)` (provider; evidence required), `accept(user, order, on=None)`,
  `dispute(user, order, reason, on=None)` (firm, by `accept_by`)
- `rate_order(user, order, score, comment="")` → marketplace Rating (once per order)

Redemption and settlement (`redemptions`)
- `apply_redemption(user, order, amount_fen=None, on=None)` → Redemption (≤ covered, within the window)
- `review(user, redemptions, approve, note="")` → [Redemption] (bureau, all or nothing; a rejection needs a note)
- `settle(user, redemptions, reference="", on=None)` → [SettlementEntry] (ledger payments; unused value returns)
- `reverse_entry(user, entry, reason)` → SettlementEntry (a reversing entry)
- `net_paid(redemption)` → int fen

Expiry (`expiry`)
- `expire(user, on=None, batch=None)` → ExpiryResult(cancelled, accepted, lapsed, returned_fen)
- `lapse(user, voucher, on=None)` → int fen returned

Audits (`audits`)
- `draw_sample(user, programme, *, seed=None, rate_percent=None, on=None)` → AuditSample (≥ the pack's rate)
- `redraw(sample)` → [redemption ids] (the same sample from the stored seed)
- `pass_item(user, item, note="")`, `record_finding(user, item, finding, clawback_fen, on=None)` (clawback entry)

Budget (`budget`)
- `batch_budget(batch)` → dict of every line in fen and `reconciles`
- `programme_budget(user, programme)` → {"batches": [...], "totals": {...}, "reconciles": bool}
- `by_provider(user, programme)`, `by_firm(user, programme)` → [dict]
- `export_xlsx(user, programme)` → bytes

Helpers (`common`): `terms(programme, on=None)` → the pack's parameters in force (`.face_value`, `.cite(name)`),
`firm_of(user, firm=None)`.
"""

from .audits import draw_sample, pass_item, record_finding, redraw
from .budget import batch_budget, by_firm, by_provider, export_xlsx, programme_budget
from .claims import ClaimResult, claim, claimable_batch
from .common import firm_of, terms
from .eligibility import assess, eligibility, precompute
from .expiry import ExpiryResult, expire, lapse
from .orders import (
    accept,
    add_evidence,
    cancel_order,
    confirm_order,
    copay,
    decline_order,
    deliver,
    dispute,
    place_order,
    rate_order,
)
from .programmes import add_batch, close_batch, publish_batch, setup, sync_programme
from .redemptions import apply_redemption, net_paid, reverse_entry, review, settle

__all__ = [
    "ClaimResult", "ExpiryResult", "accept", "add_batch", "add_evidence", "apply_redemption", "assess",
    "batch_budget", "by_firm", "by_provider", "cancel_order", "claim", "claimable_batch", "close_batch",
    "confirm_order", "copay",
    "decline_order", "deliver", "dispute", "draw_sample", "eligibility", "expire", "export_xlsx", "firm_of",
    "lapse", "net_paid", "pass_item", "place_order", "precompute", "programme_budget", "publish_batch",
    "rate_order", "record_finding", "redraw", "reverse_entry", "review", "settle", "setup", "sync_programme",
    "terms",
]
