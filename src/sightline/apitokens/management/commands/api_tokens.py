"""`manage.py api_tokens create|list|revoke`: personal API tokens from the command line.

`create` prints the secret once; it is stored only as a hash. `list` never shows a secret.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.apitokens import selectors, services
from sightline.audit.context import AuditContext
from sightline.common.errors import ServiceError


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a user (prints the secret once)")
        create.add_argument("username")
        create.add_argument("--name", required=True)
        create.add_argument("--agency", type=int, action="append", required=True, dest="agencies")
        create.add_argument(
            "--permission",
            action="append",
            required=True,
            dest="permissions",
            help="a permission code, e.g. screening_view (repeat for more)",
        )
        create.add_argument("--days", type=int, default=services.DEFAULT_LIFETIME_DAYS)
        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--user", dest="username")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ServiceError as refused:
            raise CommandError(refused.message) from None

    def _create(self, options: dict[str, Any]) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        issued = services.token_create(
            by=user,
            name=options["name"],
            agency_ids=options["agencies"],
            permissions=options["permissions"],
            lifetime_days=options["days"],
            context=AuditContext.cli(user),
        )
        self.stdout.write(f"token {issued.token.prefix} expires {issued.token.expires_at:%Y-%m-%d}")
        self.stdout.write("secret (shown once, store it now):")
        self.stdout.write(issued.secret)

    def _list(self, options: dict[str, Any]) -> None:
        tokens = selectors.all_tokens()
        if options.get("username"):
            tokens = tokens.filter(owner__username=options["username"])
        now = timezone.now()
        for token in tokens:
            state = (
                "revoked"
                if token.revoked_at
                else "expired"
                if token.expires_at <= now
                else "active"
            )
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}  {state:8}  {token.owner.username}  {token.name!r}  "
                f"agencies={token.agency_ids}  permissions={','.join(token.permissions)}  "
                f"expires={token.expires_at:%Y-%m-%d}  last_used={used}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = services.token_revoke(prefix=options["prefix"], by=None, context=AuditContext.cli())
        self.stdout.write(f"revoked {token.prefix}")
