"""What the PostgreSQL benchmarks share: throw-away keys, psql, and Django set up on a given database."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess

PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"


def key() -> str:
    """A random 256-bit key in the form SIGHTLINE_FIELD_KEYS and SIGHTLINE_SEARCH_KEY take."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, timeout=120)


def set_up_django(
    database_url: str, var_dir: str, keys: dict[str, str] | None = None
) -> dict[str, str]:
    """Configure Django for `database_url` (fresh keys unless `keys` are given), migrate, and return
    the environment used, so a server started for the benchmark can be given the same one."""
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SIGHTLINE_FIELD_KEYS": key(),
        "SIGHTLINE_SEARCH_KEY": key(),
        **(keys or {}),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SIGHTLINE_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "sightline.config.settings",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return env
