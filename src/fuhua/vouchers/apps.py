from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "fuhua.vouchers"
    label = "vouchers"
    verbose_name = _("Innovation vouchers")

    def ready(self):
        pass
