from django.conf import settings
from django.core.management.base import BaseCommand

from fuhua.core.audit import prune_audit_trail


class Command(BaseCommand):
    help = "Delete audit trail entries older than FUHUA_AUDIT_RETENTION_DAYS (default 365)."

    def handle(self, *args, **options):
        deleted = prune_audit_trail()
        self.stdout.write(f"Deleted {deleted} audit entries older than {settings.AUDIT_RETENTION_DAYS} days.")
