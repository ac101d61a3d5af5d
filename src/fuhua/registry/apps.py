from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "fuhua.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from . import rule_sources

        rule_sources.register()  # carriers and firms for the rules adapter
        from .inbox import register as register_inbox

        register_inbox()
        from fuhua.core.demo import register_demo_step

        register_demo_step("registry", _("Registry"), order=10, run="fuhua.registry.demo.loader.load_registry")
