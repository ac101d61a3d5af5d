"""The region select of forms (registered with core: core.extensions.register_region)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuhua.accounts.roles import Role, grants_of

from .models import Region
from .models.region import under_prefix


class RegionField(forms.ModelChoiceField):
    """A region select, limited to the user's own region for bureau staff (their writes must stay in it)."""

    def __init__(self, *, user=None, **kwargs):
        qs = Region.objects.select_related("parent").order_by("code")
        prefixes = [] if user is None or user.is_superuser else [
            g.region.code_prefix for g in grants_of(user) if g.role == Role.BUREAU and g.region_id
        ]
        has_other_roles = user is not None and any(g.role != Role.BUREAU for g in grants_of(user))
        if prefixes and not has_other_roles:
            q = Q()
            for prefix in prefixes:
                q |= under_prefix("", prefix)
            qs = qs.filter(q)
        kwargs.setdefault("label", _("region"))
        super().__init__(queryset=qs, **kwargs)

    def label_from_instance(self, obj):
        parent = f"{obj.parent.name} · " if obj.parent and obj.level == "county" else ""
        return f"{obj.code} {parent}{obj.name}"
