from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fuhua.accounts.models import ApiToken, SecurityEvent
from fuhua.accounts.security import record_security_event
from fuhua.core.context import acting_as


class Command(BaseCommand):
    help = "List API tokens (`api_tokens list [--user U]`) or revoke one (`api_tokens revoke PREFIX`)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="tokens with their user, prefix and expiry")
        listing.add_argument("--user", default=None)
        revoke = sub.add_parser("revoke", help="revoke the token with this prefix (as listed)")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        if action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
            if options["user"]:
                tokens = tokens.filter(user__username=options["user"])
            for token in tokens:
                expiry = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") if token.expires_at else "-"
                state = "expired" if token.is_expired else "valid"
                self.stdout.write(f"{token.prefix}\t{token.user.username}\t{token.name}\t{expiry}\t{state}")
            return
        matches = list(ApiToken.objects.select_related("user").filter(prefix=options["prefix"]))
        if len(matches) != 1:
            raise CommandError(f"{len(matches)} tokens have the prefix {options['prefix']!r}; give one that is listed.")
        token = matches[0]
        with acting_as(None, source="cli"):
            detail = {"token": token.prefix, "name": token.name}
            username = token.user.username
            token.delete()
            record_security_event(None, SecurityEvent.Kind.TOKEN_REVOKED, detail, target=username)
        self.stdout.write(f"Revoked {detail['token']}… of {username}.")
