"""Template helpers of the policy pages: yuan from fen, entitlement keys and explanations in words, and the
user's unread notifications."""

from django import template
from django.utils.translation import get_language

from fuhua.core import formatting as fmt
from fuhua.core import glossary
from fuhua.core.scoping import check
from fuhua.rules import UNVERIFIED, explain_sentence

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen → "1,234.56" (money is never a float in storage; only shown as yuan)."""
    return fmt.yuan(fen)


@register.filter
def key_label(key) -> str:
    """`recognition_award:provincial` → 科创载体认定（备案）奖励（省级）."""
    return glossary.key_label(key, _lang())


def _lang() -> str:
    return "en" if (get_language() or "zh").startswith("en") else "zh"


def sentence_of(entitlement, lang: str | None = None):
    """The clerk's note of an entitlement computed from a rule (None for applications and clawbacks)."""
    from fuhua.policies import packs

    trace = entitlement.trace or {}
    if not trace.get("rule"):
        return None
    try:
        policy = packs.get(entitlement.policy.code)
    except packs.PolicyError:
        return None
    return explain_sentence(policy.pack, trace, lang or _lang(), name=entitlement.holder_name,
                            money=fmt.money, word=glossary.word)


@register.simple_tag
def entitlement_sentence(entitlement):
    return sentence_of(entitlement)


@register.simple_tag
def unverified_note() -> str:
    return UNVERIFIED[_lang()]


@register.inclusion_tag("policies/_notifications.html", takes_context=True)
def policy_notifications(context, limit: int = 10):
    from fuhua.policies.models import Notification

    user = context["request"].user
    if not check(user, "change", Notification):  # recipients mark them read; others need not see the card
        return {"notifications": []}
    unread = Notification.objects.restrict(user).filter(read_at__isnull=True)
    return {"notifications": list(unread[:limit]), "request": context["request"]}
