"""`sightline audit`: chain, verify and anchor the tamper-evident audit log.

sightline audit verify [--anchors FILE]   exit 1 and name each break when the log was tampered with
sightline audit anchor [--mail ADDRESS]   append the chain head to the anchor file (and mail it)
sightline audit seal                      chain events left pending (verify and anchor do it too)
"""

from __future__ import annotations

import os
from pathlib import Path

import click


def _set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    import django

    django.setup()


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command()
def seal() -> None:
    """Chain every event not chained yet (normally done right after each commit)."""
    _set_up_django()
    from sightline.audit.chain import seal_pending

    click.echo(f"Chained {seal_pending():,} pending event(s).")


@audit.command()
@click.option(
    "--anchors",
    "anchors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Anchor file to check against (default: SIGHTLINE_AUDIT_ANCHOR_FILE).",
)
@click.option("--no-seal", is_flag=True, help="Do not chain pending events first.")
def verify(anchors_path: Path | None, no_seal: bool) -> None:
    """Check the whole chain and every anchor; exit 1 and name each break if anything is wrong."""
    _set_up_django()
    from sightline.audit.anchors import read_anchors
    from sightline.audit.chain import head, seal_pending
    from sightline.audit.chain import verify as verify_chain

    if not no_seal:
        seal_pending()
    anchors = read_anchors(anchors_path)
    problems = verify_chain(anchors=anchors)
    if problems:
        for problem in problems:
            click.echo(f"BROKEN [{problem.kind}] {problem}", err=True)
        raise click.exceptions.Exit(1)
    current = head()
    places = current.seq if current else 0
    click.echo(f"Audit chain intact: {places:,} event(s), {len(anchors)} anchor(s) checked.")
    if not anchors:
        click.echo(
            "Warning: no anchor was checked, so removal of the newest events is not detected."
        )


@audit.command()
@click.option("--mail", "mail_to", multiple=True, help="Also mail the anchor here (repeatable).")
def anchor(mail_to: tuple[str, ...]) -> None:
    """Append the chain head (place, hash, event id, time) to the anchor file and mail it."""
    _set_up_django()
    from sightline.audit.anchors import anchor_file, anchor_now

    written = anchor_now(mail_to=list(mail_to) or None)
    if written is None:
        click.echo("The audit log is empty: nothing to anchor.")
        return
    click.echo(f"Anchored place {written.seq:,} (event {written.event_id}) in {anchor_file()}.")
