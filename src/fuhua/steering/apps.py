from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    name = "fuhua.steering"
    label = "steering"
    verbose_name = _("Targets and reports")

    def ready(self):
        pass
