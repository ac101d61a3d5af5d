import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "fuhua.vouchers"
    label = "vouchers"
    verbose_name = _("Innovation vouchers")

    def ready(self):
        from fuhua.core import glossary
        from fuhua.core.schedule import register_periodic

        from . import models, workflow  # noqa: F401  (registers the workflows)
        from .tasks import expire_vouchers, precompute_eligibility

        glossary.register("batch_status", models.BatchStatus)
        glossary.register("voucher_status", models.VoucherStatus)
        glossary.register("voucher_order_status", models.OrderStatus)
        glossary.register("redemption_status", models.RedemptionStatus)
        glossary.register("audit_item_status", models.AuditItemStatus)
        glossary.register("settlement_kind", models.EntryKind)
        # Daily, before office hours: overdue orders cancelled, late deliveries deemed accepted, expired
        # vouchers lapse and their value returns to the batch.
        register_periodic("vouchers.expire", task=expire_vouchers, at=datetime.time(1, 30))
        # Daily, after midnight: the day's eligibility of every firm for the programmes taking claims today.
        register_periodic("vouchers.precompute", task=precompute_eligibility, at=datetime.time(0, 15))
        from . import prefill

        prefill.register()  # the tenants' vouchers and services, for the annual statistics (core.prefill)
        from . import rule_sources

        rule_sources.register()  # the same per firm and per carrier's tenants, for the rules adapter
        # Pages: navigation, inbox items, sections on other apps' pages, the demo step.
        from fuhua.core.context_processors import NavItem, register_nav
        from fuhua.core.demo import register_demo_step

        from . import inbox, panels

        inbox.register()
        panels.register()
        register_demo_step("vouchers", _("Innovation vouchers"), order=70, run="fuhua.vouchers.demo.load_vouchers")
        register_nav(NavItem("vouchers:voucherprogramme_list", _("Voucher programmes"), "vouchers.voucherprogramme",
                             key="voucher-programmes"))
        register_nav(NavItem("vouchers:voucher_list", _("Vouchers"), "vouchers.voucher", key="vouchers"))
        register_nav(NavItem("vouchers:order_list", _("Voucher orders"), "vouchers.order", key="voucher-orders"))
        register_nav(NavItem("vouchers:redemption_list", _("Redemptions"), "vouchers.redemption",
                             key="redemptions"))
        register_nav(NavItem("vouchers:settlemententry_list", _("Voucher ledger"), "vouchers.settlemententry",
                             key="voucher-ledger"))
        register_nav(NavItem("vouchers:audititem_list", _("Voucher audits"), "vouchers.audititem",
                             key="voucher-audits"))
