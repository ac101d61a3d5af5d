from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuhua.core.models import FuhuaModel
from fuhua.core.scoping import Scope
from fuhua.core.validators import validate_region_code

from ..choices import RegionLevel


def under_prefix(path: str, prefix: str) -> Q:
    """Objects whose region (at `path`, "" for regions) has a code starting with `prefix`.

    Written as a range, not LIKE, so that SQLite and PostgreSQL both use the index on the code:
    '3205' ≤ code < '3206' is all of Suzhou.
    """
    upper = str(int(prefix) + 1).zfill(len(prefix))
    field = f"{path}__pk" if path else "pk"
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


_PREFIX_LENGTH = {RegionLevel.PROVINCE: 2, RegionLevel.PREFECTURE: 4, RegionLevel.COUNTY: 6}


class Region(FuhuaModel):
    """An administrative division (GB/T 2260). The code is the key: sub-regions share its prefix."""

    code = models.CharField(_("code"), max_length=6, primary_key=True, validators=[validate_region_code])
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    # 艰苦边远地区: national thresholds are lowered by 20% here (国科发区〔2018〕300号).
    is_hardship = models.BooleanField(_("hardship region"), default=False)

    scope = Scope(public=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    @property
    def code_prefix(self) -> str:
        """Codes of this region and everything under it start with this prefix."""
        return self.code[: _PREFIX_LENGTH[self.level]]

    def subtree_q(self, path: str = "") -> Q:
        """Objects whose region at `path` is this region or lies under it."""
        return under_prefix(path, self.code_prefix)

    @property
    def full_name(self) -> str:
        names, region = [], self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))
