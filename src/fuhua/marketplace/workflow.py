"""The marketplace's states as data.

Provider listing: applied → listed → suspended → listed (reinstated) … → delisted (final). The bureau
lists, declines (applied → delisted), suspends, reinstates and delists, each but listing with a reason.

Product: draft → pending (submitted for approval) → published | rejected; published → withdrawn;
rejected / withdrawn → draft (revised). Where the bureau does not require approval (ApprovalSetting of the
provider's region), the provider publishes a draft directly. Only a listed provider's products are
submitted or published.

Who: bureau steps need a bureau grant whose region covers the provider (or the platform administrator);
provider steps need the right to change the object (the provider's own organisation, or the bureau).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhua.accounts.roles import Role
from fuhua.core.permissions import policy
from fuhua.core.validators import validate_credit_code
from fuhua.core.workflow import ALLOWED, Decision, Transition, Workflow, conflict, forbidden, invalid
from fuhua.registry.choices import OrganisationKind

from .approval import approval_required
from .models import ProductStatus as P
from .models import Provider
from .models import ProviderStatus as S


def _today(on=None, **kw):
    return on or timezone.localdate()


def is_bureau_for(user, provider: Provider) -> bool:
    """True for the platform (superuser, system) and for a bureau user whose region covers the provider."""
    if getattr(user, "is_superuser", False):
        return True
    q = Q(pk__in=[])
    for grant in policy().grants_of(user):
        if grant.role == Role.ADMIN:
            return True
        if grant.role == Role.BUREAU and policy().role_allows(grant.role, Provider, "change"):
            condition = grant.condition_for(Provider)
            if condition is not None:
                q |= condition
    return Provider._base_manager.filter(q, pk=provider.pk).exists()


def _bureau(user, obj, **kw) -> Decision:
    provider = obj if isinstance(obj, Provider) else obj.provider
    if is_bureau_for(user, provider):
        return ALLOWED
    return forbidden(_("Only the bureau of the provider's region takes this step."))


def _qualified(user, provider, **kw) -> Decision:
    """A provider is listed only as a service provider with a valid credit code, a category, and no
    expired qualification."""
    organisation = provider.organisation
    if organisation.kind != OrganisationKind.SERVICE_PROVIDER:
        return invalid(_("%(name)s is not registered as a service provider.") % {"name": organisation.name},
                       "organisation")
    try:
        validate_credit_code(organisation.credit_code)
    except ValidationError as exc:
        return invalid(" ".join(getattr(exc, "messages", [str(exc)])), "credit_code")
    if not provider.categories.exists():
        return invalid(_("Choose at least one service category."), "categories")
    if provider.qualification_expired:
        return conflict(_("A qualification of this provider has expired; it must be renewed first."))
    return ALLOWED


def _decided(provider, on=None, reason="", **kw):
    provider.status_changed_on = _today(on)
    provider.status_reason = reason


def _listed(provider, on=None, reason="", **kw):
    _decided(provider, on=on, reason=reason)
    provider.listed_on = provider.listed_on or _today(on)


PROVIDER_WORKFLOW = Workflow("status", model="marketplace.Provider", transitions=[
    Transition("list", gettext_lazy("approve the listing"), frozenset({S.APPLIED}), S.LISTED, effect=_listed,
               guards=(_bureau, _qualified)),
    Transition("decline", gettext_lazy("decline the application"), frozenset({S.APPLIED}), S.DELISTED,
               needs_reason=True, effect=_decided, guards=(_bureau,)),
    Transition("suspend", gettext_lazy("suspend"), frozenset({S.LISTED}), S.SUSPENDED, needs_reason=True,
               effect=_decided, guards=(_bureau,)),
    Transition("reinstate", gettext_lazy("reinstate"), frozenset({S.SUSPENDED}), S.LISTED, needs_reason=True,
               effect=_listed, guards=(_bureau, _qualified)),
    Transition("delist", gettext_lazy("delist"), frozenset({S.LISTED, S.SUSPENDED}), S.DELISTED, needs_reason=True,
               effect=_decided, guards=(_bureau,)),
])


# --- products ----------------------------------------------------------------------------------------


def _provider_listed(user, product, **kw) -> Decision:
    if product.provider.status != S.LISTED:
        return conflict(_("The provider is not listed (%(status)s); its products cannot be offered.")
                        % {"status": product.provider.get_status_display()})
    return ALLOWED


def _needs_approval(user, product, **kw) -> Decision:
    if not approval_required(product.provider):
        return conflict(_("Products here need no approval: publish it directly."))
    return _provider_listed(user, product)


def _no_approval(user, product, **kw) -> Decision:
    if approval_required(product.provider):
        return conflict(_("The bureau approves products here: submit it for approval."))
    return _provider_listed(user, product)


def _approvable(user, product, **kw) -> Decision:
    verdict = _bureau(user, product)
    return verdict if not verdict else _provider_listed(user, product)


def _submitted(product, on=None, **kw):
    product.submitted_on = _today(on)
    product.status_reason = ""


def _published(product, on=None, reason="", **kw):
    product.published_on = _today(on)
    product.status_reason = reason


def _reasoned(product, reason="", **kw):
    product.status_reason = reason


PRODUCT_WORKFLOW = Workflow("status", model="marketplace.Product", transitions=[
    Transition("submit", gettext_lazy("submit for approval"), frozenset({P.DRAFT}), P.PENDING, effect=_submitted,
               guards=(_needs_approval,)),
    Transition("publish", gettext_lazy("publish"), frozenset({P.DRAFT}), P.PUBLISHED, effect=_published,
               guards=(_no_approval,)),
    Transition("approve", gettext_lazy("approve"), frozenset({P.PENDING}), P.PUBLISHED, effect=_published,
               guards=(_approvable,)),
    Transition("reject", gettext_lazy("reject"), frozenset({P.PENDING}), P.REJECTED, needs_reason=True,
               effect=_reasoned, guards=(_bureau,)),
    Transition("withdraw", gettext_lazy("withdraw"), frozenset({P.PUBLISHED, P.PENDING}), P.WITHDRAWN,
               needs_reason=True, effect=_reasoned),
    Transition("revise", gettext_lazy("revise"), frozenset({P.REJECTED, P.WITHDRAWN}), P.DRAFT, effect=_reasoned),
])

# Steps that cannot be undone: the pages ask for confirmation first.
IRREVERSIBLE = frozenset({"decline", "delist"})

