"""Links to account pages in the top bar: my tokens, and the administration the user's roles allow."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuhua.accounts import services

register = template.Library()


@register.simple_tag(takes_context=True)
def account_links(context) -> list[dict]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = [{"url": reverse("accounts:tokens"), "label": _("API tokens"), "key": "tokens"}]
    if any(services.has_power(user, p) for p in ("users", "grants", "locks")):
        links.append({"url": reverse("accounts:user_list"), "label": _("Users"), "key": "users"})
    if services.has_power(user, "audit"):
        links.append({"url": reverse("accounts:security_events"), "label": _("Security events"), "key": "security"})
        links.append({"url": reverse("accounts:audit_trail"), "label": _("Audit trail"), "key": "audit"})
    return links
