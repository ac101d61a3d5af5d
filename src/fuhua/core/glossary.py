"""One glossary (zh/en) for the words the product shows: roles, levels, kinds, grades, categories, statuses.

Each word is an English msgid (gettext_lazy) translated once in the Chinese catalogue, so UI labels, model
choices (`RecognitionLevel`, `CarrierKind`, `Role` and every workflow's status take their labels from here),
API docs, exports, notifications and explanations all say the same thing. Apps may add a domain of their own with
`register(domain, choices)` from their AppConfig.ready() (a lower layer never imports them).

    word("provincial", "zh")            → "省级"
    word("maker_space", "en", "carrier_kind") → "maker space"
    key_label("recognition_award:provincial") → "科创载体认定（备案）奖励（省级）"
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

LEVELS = {
    "national": _("national"),
    "provincial": _("provincial"),
    "municipal": _("municipal"),
    "county_city": _("county-level city"),
    "district": _("district"),
    "none": _("none"),
}

CARRIER_KINDS = {
    "maker_space": _("maker space"),
    "incubator": _("incubator"),
    "accelerator": _("accelerator"),
    "university_park": _("university science park"),
    "rural_star": _("rural innovation hub (星创天地)"),
    "returnee_park": _("returned-scholar venture park"),
    "community": _("innovation community (众创社区)"),
    "enclave": _("enclave incubator (飞地孵化器)"),
    "offshore": _("offshore innovation centre (离岸创新中心)"),
    "industrial_park": _("industrial park"),
    "demo_base": _("mass-innovation demonstration base"),
}

GRADES = {"A": _("excellent (优秀)"), "B": _("good (良好)"), "C": _("qualified (合格)"), "D": _("failed (不合格)")}

EVALUATION_CATEGORIES = {
    "specialised": _("specialised"),
    "comprehensive": _("comprehensive"),
    "university_park": _("university science park"),
}

ROLES = {
    "admin": _("Platform administrator"),
    "bureau": _("Bureau staff"),
    "association": _("Association staff"),
    "operator": _("Carrier operator"),
    "firm": _("Firm user"),
    "service_provider": _("Service provider"),
    "mentor": _("Mentor"),
    "investor": _("Investor"),
    "expert": _("Expert reviewer"),
    "system_admin": _("System administrator"),
    "security_admin": _("Security administrator"),
    "audit_admin": _("Audit administrator"),
}

# Workflow statuses, one domain per workflow (a code may mean different things: a call "closed" to
# applications, a run whose appeals are "closed", a carrier that "closed" down). Models take their choices'
# labels from here (`IncubationStatus`, `ReportStatus`, … keep these msgids, so no migration follows).
STATUSES = {
    "carrier_status": {
        "operating": _("operating"),
        "suspended": _("suspended"),
        "closed": _("closed"),
    },
    "incubation_status": {
        "applied": _("applied"),
        "admitted": _("admitted"),
        "incubating": _("incubating"),
        "graduated": _("graduated"),
        "exited": _("exited"),
        "expired": _("expired"),
    },
    "report_status": {
        "draft": _("draft"),
        "submitted": _("submitted"),
        "returned": _("returned"),
        "accepted": _("accepted"),
    },
    "run_status": {
        "draft": _("draft"),
        "computed": _("computed"),
        "published": _("published"),
        "closed": _("appeals closed"),
    },
    "appeal_status": {
        "pending": _("pending"),
        "upheld": _("upheld"),
        "rejected": _("rejected"),
    },
    "call_status": {
        "draft": _("draft"),
        "published": _("published"),
        "closed": _("closed"),
    },
    "application_status": {
        "draft": _("draft"),
        "submitted": _("submitted"),
        "accepted": _("accepted (形式审查通过)"),
        "reviewed": _("reviewed"),
        "notice": _("public notice (公示)"),
        "paid": _("paid"),
        "evaluated": _("evaluated"),
        "rejected": _("rejected"),
    },
    "entitlement_status": {
        "proposed": _("proposed (awaiting confirmation)"),
        "queued": _("queued (over budget)"),
        "confirmed": _("payment details confirmed"),
        "paid": _("paid"),
        "cancelled": _("cancelled (no longer due)"),
        "clawback": _("clawback proposed"),
        "recovered": _("recovered"),
    },
    "provider_status": {
        "applied": _("applied for listing"),
        "listed": _("in the marketplace"),
        "suspended": _("suspended"),
        "delisted": _("delisted"),
    },
    "product_status": {
        "draft": _("draft"),
        "pending": _("pending approval"),
        "published": _("on offer"),
        "withdrawn": _("withdrawn"),
        "rejected": _("rejected"),
    },
}

# Entitlement items (the first part of an entitlement key, `recognition_award:provincial`): named by the
# label of their rule in the policy pack, registered by the policies app (register_fallback).
ENTITLEMENT_ITEMS: dict = {}

CHART_ROWS = {"national": _("national"), "Jiangsu": _("Jiangsu"), "this run": _("this run")}

_DOMAINS: dict[str, dict] = {
    "level": LEVELS, "carrier_kind": CARRIER_KINDS, "grade": GRADES, "evaluation_category": EVALUATION_CATEGORIES,
    "role": ROLES, "entitlement_item": ENTITLEMENT_ITEMS, **STATUSES,
}
# A bare code is looked up in this order (levels before kinds: "university_park" is a kind and a category);
# a status is always looked up in its workflow's domain (word("closed", domain="call_status")).
_ORDER = ["level", "carrier_kind", "evaluation_category", "role", "entitlement_item"]


_PROVIDERS: dict[str, list] = {}


def register(domain: str, choices) -> None:
    """Add a domain of words: a Django `TextChoices` class or a {code: label} mapping (a label may be a
    lazy msgid or a {"zh": …, "en": …} pair, e.g. from a rule pack)."""
    words = dict(choices.choices) if hasattr(choices, "choices") else dict(choices)
    _DOMAINS.setdefault(domain, {}).update(words)
    if domain not in _ORDER:
        _ORDER.append(domain)


def register_fallback(domain: str, provider) -> None:
    """`provider()` → {code: label} read on first use; it never replaces a word the glossary already has
    (a policy pack's items name themselves when the glossary has no shorter word for them)."""
    _PROVIDERS.setdefault(domain, []).append(provider)


def _load(domain: str) -> None:
    for provider in _PROVIDERS.pop(domain, []):
        words = _DOMAINS.setdefault(domain, {})
        for code, text in provider().items():
            words.setdefault(code, text)


def label(code, domain: str | None = None):
    """The lazy label of `code` (in `domain`, or the first domain that knows it); None when unknown."""
    code = "" if code is None else str(code)
    domains = [domain] if domain else _ORDER
    for name in domains:
        if name in _PROVIDERS:
            _load(name)
        words = _DOMAINS.get(name, {})
        if code in words:
            return words[code]
    return None


def word(code, lang: str | None = None, domain: str | None = None) -> str:
    """`code` in words, in `lang` ("zh"/"en"; the active language when None); the code itself when unknown."""
    found = label(code, domain)
    if found is None:
        return "" if code is None else str(code)
    if isinstance(found, dict):
        en = (lang or _active()).lower().startswith("en")
        return found.get("en" if en else "zh") or found.get("zh") or str(code)
    if lang is None:
        return str(found)
    with override("en" if str(lang).lower().startswith("en") else "zh-hans"):
        return str(found)


def key_label(key: str, lang: str | None = None) -> str:
    """An entitlement key (`item:qualifier`) as words: "recognition_award:provincial" → "认定奖励（省级）",
    "incubator_operating:2025" → "孵化器运营补贴（2025年）"."""
    item, _sep, qualifier = str(key).partition(":")
    head = word(item, lang, "entitlement_item")
    if not qualifier:
        return head
    zh = (lang or _active()).startswith("zh")
    tail = (f"{qualifier}年" if zh else qualifier) if qualifier.isdigit() else word(qualifier, lang, "level")
    return f"{head}（{tail}）" if zh else f"{head} ({tail})"


def chart_row(name: str, lang: str | None = None) -> str:
    """A reference row "national 2017" → "国家级 2017年" / "national 2017"."""
    head, _sep, year = str(name).rpartition(" ")
    if not head or not year.isdigit():
        return word(name, lang) if label(name) is not None else str(CHART_ROWS.get(name, name))
    zh = (lang or _active()).startswith("zh")
    words = word(head, lang, "level") if label(head, "level") is not None else _chart_word(head, lang)
    return f"{words} {year}年" if zh else f"{words} {year}"


def _chart_word(head: str, lang: str | None) -> str:
    text = CHART_ROWS.get(head)
    if text is None:
        return head
    if lang is None:
        return str(text)
    with override("en" if lang.startswith("en") else "zh-hans"):
        return str(text)


def _active() -> str:
    from django.utils.translation import get_language

    return get_language() or "zh-hans"


def choices(domain: str) -> list[tuple[str, object]]:
    """(code, lazy label) of a domain, for a form field or a model's choices."""
    return list(_DOMAINS[domain].items())
