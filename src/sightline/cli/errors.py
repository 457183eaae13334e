"""How a command reports a failure the user can fix."""

from __future__ import annotations

import click


class CommandError(click.ClickException):
    """Printed as `Error: <message>` on stderr; exit code 2, like click's own usage errors."""

    exit_code = 2
