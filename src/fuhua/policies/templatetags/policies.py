"""Template helpers of the policy pages: yuan from fen, and the user's unread notifications."""

from django import template

from fuhua.core.scoping import check

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen → "1,234.56" (money is never a float in storage; only shown as yuan)."""
    if fen is None or fen == "":
        return "—"
    sign = "-" if int(fen) < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


@register.inclusion_tag("policies/_notifications.html", takes_context=True)
def policy_notifications(context, limit: int = 10):
    from fuhua.policies.models import Notification

    user = context["request"].user
    if not check(user, "change", Notification):  # recipients mark them read; others need not see the card
        return {"notifications": []}
    unread = Notification.objects.restrict(user).filter(read_at__isnull=True)
    return {"notifications": list(unread[:limit]), "request": context["request"]}
