import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fuhua.accounts import services
from fuhua.core.context import acting_as


class Command(BaseCommand):
    help = ("Create an API token for USERNAME and print its key (shown only this once). Tokens expire: "
            "after --days (default FUHUA_API_TOKEN_DAYS). List and revoke them with `api_tokens`.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. 'statistics import'")
        parser.add_argument("--days", type=int, default=None,
                            help=f"lifetime in days (default {settings.API_TOKEN_DAYS}, "
                                 f"at most {settings.API_TOKEN_MAX_DAYS})")

    def handle(self, *args, username, name, days, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if days is not None and not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {settings.API_TOKEN_MAX_DAYS}.")
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        with acting_as(None, source="cli"):
            token, key = services.issue_token(user, None, name, expires_at)
        expiry = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
        self.stderr.write(f"Token {token.prefix}… for {username}, valid until {expiry}; "
                          "store the key now, it is not shown again:")
        self.stdout.write(key)
