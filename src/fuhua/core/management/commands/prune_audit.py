from django.conf import settings
from django.core.management.base import BaseCommand

from fuhua.core.audit import prune_retained


class Command(BaseCommand):
    help = "Delete audit trail and security log entries older than FUHUA_AUDIT_RETENTION_DAYS (default 365)."

    def handle(self, *args, **options):
        for label, deleted in prune_retained().items():
            self.stdout.write(f"Deleted {deleted} {label} entries older than {settings.AUDIT_RETENTION_DAYS} days.")
