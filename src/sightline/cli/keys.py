"""`sightline keys`: field-key rotation.

sightline keys new                 print a fresh key in the form SIGHTLINE_FIELD_KEYS expects
sightline keys rotate [--restart]  re-encrypt every field value under the first key (resumable)
sightline keys status              how many values are not yet under the first key
"""

from __future__ import annotations

import os

import click


def _set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    import django

    django.setup()


@click.group()
def keys() -> None:
    """Encryption keys of the identifier fields."""


@keys.command()
def new() -> None:
    """Print a fresh 32-byte key (url-safe base64)."""
    from sightline.privacy.keys import new_key

    click.echo(new_key())


@keys.command()
@click.option("--batch", type=click.IntRange(min=1), default=500, show_default=True)
@click.option("--restart", is_flag=True, help="Ignore the stored progress and scan from the start.")
def rotate(batch: int, restart: bool) -> None:
    """Re-encrypt every value under the first key of SIGHTLINE_FIELD_KEYS, in batches.

    Keep the old key configured (after the new one) until this has finished and `status` says 0.
    """
    _set_up_django()
    from sightline.privacy.rotation import rotate as run
    from sightline.privacy.rotation import state_file, unrotated

    rewritten = run(batch=batch, restart=restart)
    for label, count in rewritten.items():
        click.echo(f"{label}: {count:,} value(s) re-encrypted")
    left = unrotated()
    click.echo(f"{left:,} value(s) not under the current key; progress in {state_file()}.")
    if left:
        raise click.exceptions.Exit(1)


@keys.command()
def status() -> None:
    """How many stored values are not yet under the current key (0: the old key may go)."""
    _set_up_django()
    from sightline.privacy.rotation import unrotated

    click.echo(f"{unrotated():,} value(s) not under the current key.")
