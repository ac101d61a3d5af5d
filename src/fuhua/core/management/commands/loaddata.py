"""Django's `loaddata` without audit side effects.

Loaded rows are not changes made by anyone: the audit handlers already skip `raw` saves, and this
suspends the rest (many-to-many additions, deletes) so a load adds no audit entry of its own and
cannot collide with the audit entries it restores (F9)."""

from django.core.management.commands.loaddata import Command as LoaddataCommand

from fuhua.core.audit import suspended


class Command(LoaddataCommand):
    def handle(self, *fixture_labels, **options):
        with suspended():
            return super().handle(*fixture_labels, **options)
