"""`fuhua marketplace providers|categories|flag-expired|approval`: the service marketplace from the shell.

Reading and changing data acts as a user (`--user`), scoped like the web; `categories --load` and
`flag-expired` without `--user` are server maintenance run by the system actor.
"""

from __future__ import annotations

import datetime
import sys

import click

from fuhua.core.cli_helpers import active_user, setup_django
from fuhua.core.text import pad_display


@click.group()
def marketplace() -> None:
    """Service marketplace (服务超市): providers, categories, qualification expiry."""


@marketplace.command()
@click.option("--user", "username", required=True, help="Act as this user (their scope).")
@click.option("--status", type=click.Choice(["applied", "listed", "suspended", "delisted"]), default=None)
@click.option("--category", default=None, help="A category code, e.g. ip_agency.")
@click.option("--expired", is_flag=True, help="Only providers flagged with an expired qualification.")
def providers(username: str, status: str | None, category: str | None, expired: bool) -> None:
    """List the providers the user may see, with status, categories and products on offer."""
    setup_django()
    from django.db.models import Count, Q

    from .models import ProductStatus, Provider

    user = active_user(username)
    qs = (Provider.objects.restrict(user, "view").select_related("organisation")
          .prefetch_related("categories")
          .annotate(offered=Count("products", filter=Q(products__status=ProductStatus.PUBLISHED)))
          .order_by("organisation__search", "pk"))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(categories__code=category)
    if expired:
        qs = qs.filter(qualification_expired=True)
    n = 0
    for p in qs:
        n += 1
        flag = " !qualification expired" if p.qualification_expired else ""
        cats = "、".join(c.name for c in p.categories.all())
        click.echo(f"{p.pk:>6}  {pad_display(p.organisation.name, 34)} {p.organisation.credit_code}  "
                   f"{pad_display(p.get_status_display(), 8)} {p.offered:>3} products  {cats}{flag}")
    click.echo(f"{n} provider(s)")


@marketplace.command()
@click.option("--load", is_flag=True, help="Load data/categories.yaml (adds new codes, updates names).")
def categories(load: bool) -> None:
    """List the service categories (categories are data: data/categories.yaml)."""
    setup_django()
    from fuhua.core.context import acting_as

    from .categories import load_categories
    from .models import ServiceCategory

    if load:
        with acting_as(None, source="cli"):
            created, updated = load_categories(ServiceCategory)
        click.echo(f"{created} created, {updated} updated")
    for c in ServiceCategory.objects.order_by("order", "code"):
        click.echo(f"{c.code:<16} {pad_display(c.name, 14)} {c.name_en}{'' if c.active else '  (inactive)'}")


@marketplace.command("flag-expired")
@click.option("--user", "username", default=None, help="Act as this user (their scope); default: the system.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date (default: today).")
def flag_expired(username: str | None, as_of: datetime.datetime | None) -> None:
    """Flag providers whose qualification has expired (and clear renewed ones); the worker runs it daily."""
    setup_django()
    from fuhua.core.context import acting_as
    from fuhua.core.system import SYSTEM

    from .services import flag_expired_qualifications

    user = active_user(username) if username else SYSTEM
    with acting_as(None if user is SYSTEM else user, source="cli"):
        changed = flag_expired_qualifications(user, on=as_of.date() if as_of else None)
    click.echo(f"{changed} provider(s) changed")


@marketplace.command()
@click.option("--user", "username", required=True, help="A bureau user of the region (or an administrator).")
@click.argument("region")
@click.argument("mode", type=click.Choice(["on", "off"]))
def approval(username: str, region: str, mode: str) -> None:
    """Whether products of providers registered in REGION need the bureau's approval (on) or not (off)."""
    setup_django()
    from django.core.exceptions import PermissionDenied, ValidationError

    from fuhua.core import services as crud
    from fuhua.core.context import acting_as
    from fuhua.registry.models import Region

    from .models import ApprovalSetting

    user = active_user(username)
    place = Region.objects.filter(code=region).first()
    if place is None:
        click.echo(f"Unknown region {region}.", err=True)
        sys.exit(2)
    try:
        with acting_as(user, source="cli"):
            current = ApprovalSetting.objects.restrict(user, "change").filter(region=place).first()
            data = {"region": place, "products_need_approval": mode == "on"}
            if current is None:
                crud.create_object(user, ApprovalSetting, data)
            else:
                crud.update_object(user, current, data)
    except (PermissionDenied, ValidationError) as exc:
        click.echo(f"Refused: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{place.name}: products {'need' if mode == 'on' else 'do not need'} approval")


cli_groups = [marketplace]  # mounted by the shell (fuhua/cli.py)
