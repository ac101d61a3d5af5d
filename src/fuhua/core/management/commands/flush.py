"""Django's `flush`, allowed to empty the append-only tables (core.append_only.wiping).

Flush removes every row of every table on an administrator's explicit request (and between
transactional tests); the append-only triggers still refuse every UPDATE and every other DELETE."""

from django.core.management.commands.flush import Command as FlushCommand

from fuhua.core.append_only import wiping


class Command(FlushCommand):
    def handle(self, **options):
        with wiping(options["database"]):
            return super().handle(**options)
