from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "fuhua.incubation"
    label = "incubation"
    verbose_name = _("Incubation")
