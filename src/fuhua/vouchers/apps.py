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
        from .tasks import expire_vouchers

        glossary.register("batch_status", models.BatchStatus)
        glossary.register("voucher_status", models.VoucherStatus)
        glossary.register("voucher_order_status", models.OrderStatus)
        glossary.register("redemption_status", models.RedemptionStatus)
        glossary.register("audit_item_status", models.AuditItemStatus)
        glossary.register("settlement_kind", models.EntryKind)
        # Daily, before office hours: overdue orders cancelled, late deliveries deemed accepted, expired
        # vouchers lapse and their value returns to the batch.
        register_periodic("vouchers.expire", task=expire_vouchers, at=datetime.time(1, 30))
