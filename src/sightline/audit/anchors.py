"""Anchors: the chain head written away from the database, so removing the newest events is caught.

`anchor_now` appends the head (place, hash, event id, time) as one JSON line to the file named by
`SIGHTLINE_AUDIT_ANCHOR_FILE` and, when `SIGHTLINE_AUDIT_ANCHOR_MAIL` lists addresses, mails it there
too. The file belongs on storage the database's users cannot write (another host, a write-once bucket
mounted read-append); the mail copy lives in other people's mailboxes. Run it periodically (cron or a
scheduled task); `sightline audit verify` checks every anchor in the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail

from sightline.audit.chain import Anchor, head, seal_pending


def anchor_file() -> Path:
    return Path(settings.SIGHTLINE_AUDIT_ANCHOR_FILE)


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every anchor written so far (none when the file does not exist yet)."""
    path = path or anchor_file()
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Anchor.from_json(line) for line in lines if line.strip()]


def anchor_now(*, path: Path | None = None, mail_to: list[str] | None = None) -> Anchor | None:
    """Chain what is pending, then write the head to the anchor file (and mail). None if empty."""
    seal_pending()
    current = head()
    if current is None:
        return None
    path = path or anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = current.as_json() + "\n"
    # Append-only and flushed to disk before we report success: an anchor that is not durable is none.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    recipients = settings.SIGHTLINE_AUDIT_ANCHOR_MAIL if mail_to is None else mail_to
    if recipients:
        send_mail(
            subject=f"Sightline audit anchor: place {current.seq}",
            message=(
                "The audit chain's head, to keep outside Sightline.\n\n"
                f"{line}\n"
                "`sightline audit verify` compares the log with every anchor it is given.\n"
            ),
            from_email=None,
            recipient_list=list(recipients),
        )
    return current
