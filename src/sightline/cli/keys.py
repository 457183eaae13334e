"""`sightline keys`: field-key and search-key rotation.

sightline keys new                 print a fresh key in the form SIGHTLINE_FIELD_KEYS expects
sightline keys rotate [--restart]  re-encrypt every field value under the first key (resumable)
sightline keys rotate --search     rewrite every youth's blind-index tokens under SIGHTLINE_SEARCH_KEY
                                   (resumable; old keys in SIGHTLINE_SEARCH_KEYS_PREVIOUS meanwhile)
sightline keys status              how many values / youth are not yet under the current keys
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
@click.option(
    "--search",
    is_flag=True,
    help="Rotate the search key instead: rewrite the blind index (names, case numbers).",
)
def rotate(batch: int, restart: bool, search: bool) -> None:
    """Re-encrypt every value under the first key of SIGHTLINE_FIELD_KEYS, in batches.

    Keep the old key configured (after the new one) until this has finished and `status` says 0.
    With --search: set SIGHTLINE_SEARCH_KEY to the new key and SIGHTLINE_SEARCH_KEYS_PREVIOUS to the
    old one in every process (searches then try both), run this, then remove the old key.
    """
    _set_up_django()
    if search:
        _rotate_search(batch)
        return
    from sightline.privacy.rotation import rotate as run
    from sightline.privacy.rotation import state_file, unrotated

    rewritten = run(batch=batch, restart=restart)
    for label, count in rewritten.items():
        click.echo(f"{label}: {count:,} value(s) re-encrypted")
    left = unrotated()
    click.echo(f"{left:,} value(s) not under the current key; progress in {state_file()}.")
    if left:
        raise click.exceptions.Exit(1)


def _rotate_search(batch: int) -> None:
    from sightline.youth.search_index import reindex, stale_count

    done = reindex(batch=batch, only_stale=True)
    click.echo(f"{done:,} youth re-indexed under the current search key")
    left = stale_count()
    if left:
        click.echo(f"{left:,} youth still under an older search key: run again.")
        raise click.exceptions.Exit(1)
    click.echo(
        "Every youth is indexed under the current search key: remove "
        "SIGHTLINE_SEARCH_KEYS_PREVIOUS from every process to retire the old key."
    )


@keys.command()
def status() -> None:
    """How many stored values are not yet under the current key (0: the old key may go)."""
    _set_up_django()
    from sightline.privacy.rotation import unrotated
    from sightline.youth.search_index import stale_count

    click.echo(f"{unrotated():,} value(s) not under the current key.")
    click.echo(f"{stale_count():,} youth not indexed under the current search key.")
