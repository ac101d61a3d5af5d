"""Whether a provider's products need the bureau's approval before they are published.

A per-region setting (ApprovalSetting, set by the bureau: `fuhua marketplace approval`): the nearest one up
the provider's region tree (district → city → province) applies; where none is set, products need approval
(the safe default: nothing reaches firms unseen by a bureau).
"""

from __future__ import annotations

from .models import ApprovalSetting, Provider


def _ancestry(region) -> list[str]:
    codes = []
    while region is not None:
        codes.append(region.code)
        region = region.parent
    return codes


def approval_required(provider: Provider) -> bool:
    codes = _ancestry(provider.organisation.region)
    settings = dict(ApprovalSetting.objects.filter(region_id__in=codes).values_list("region_id",
                                                                                     "products_need_approval"))
    for code in codes:
        if code in settings:
            return settings[code]
    return True
