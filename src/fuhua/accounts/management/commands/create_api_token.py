from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fuhua.accounts.models import ApiToken
from fuhua.core.context import acting_as


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. 'statistics import'")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        with acting_as(None, source="cli"):
            token, key = ApiToken.issue(user, name)
        self.stderr.write(f"Token {token.prefix}… for {username}; store the key now, it is not shown again:")
        self.stdout.write(key)
