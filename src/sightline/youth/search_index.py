"""The blind index of a youth: name tokens, the case-number digest, and the search key they are under.

Every writer of youth rows (the services, the importer, the synthetic loader, the reindex and the
search-key rotation) goes through `index_rows` / `write_index`, so the tokens a youth stores are the
same whoever wrote them. Searches match digests under every configured search key (`search_keys`: the
current one and, during a rotation, the previous ones), so a youth is found before and after its
tokens are rewritten (ADR 0011).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import transaction

from sightline.privacy.blind_index import (
    digests,
    identifier_digest,
    identifier_token,
    stored_tokens,
    token_digest,
)
from sightline.privacy.keys import FieldKey, search_keys
from sightline.youth.models import Youth, YouthNameToken

BATCH = 500


def name_digests(
    first_name: str, last_name: str, aliases: Iterable[str], *, key: bytes
) -> set[str]:
    """The digests of everything a youth's names store in the index (words, run-together, prefixes)."""
    return digests(stored_tokens(first_name, last_name, *aliases), key=key)


def token_rows(youth: Youth, *, key: bytes) -> list[YouthNameToken]:
    return [
        YouthNameToken(youth_id=youth.pk, digest=digest)
        for digest in sorted(
            name_digests(youth.first_name, youth.last_name, youth.aliases, key=key)
        )
    ]


def searched_digests(tokens: Iterable[str]) -> list[str]:
    """Digests of `tokens` under every configured search key: what a search must look for."""
    return sorted({token_digest(t, key=k.secret) for t in tokens for k in search_keys()})


def case_number_digests(case_number: str) -> list[str]:
    """The digests a case-number search looks for (empty: the value has nothing to match)."""
    token = identifier_token(case_number)
    return searched_digests([token]) if token is not None else []


def write_index(youths: Sequence[Youth], *, key: FieldKey | None = None) -> None:
    """Replace the name tokens of `youths` and store their case-number digest and search key id, all
    under `key` (default: the current search key). Call inside the writer's transaction."""
    key = key or search_keys()[0]
    ids = [youth.pk for youth in youths]
    YouthNameToken.objects.filter(youth_id__in=ids).delete()
    YouthNameToken.objects.bulk_create(
        row for youth in youths for row in token_rows(youth, key=key.secret)
    )
    for youth in youths:
        youth.case_number_digest = identifier_digest(youth.case_number, key=key.secret)
        youth.search_key_id = key.key_id
        # A queryset update writes only these two plain columns: no other value is re-encrypted.
        Youth.objects.filter(pk=youth.pk).update(
            case_number_digest=youth.case_number_digest, search_key_id=key.key_id
        )


def _batch(after: int, size: int, key_id: str | None) -> list[Youth]:
    rows = Youth.objects.select_for_update().filter(pk__gt=after)
    if key_id is not None:
        rows = rows.exclude(search_key_id=key_id)
    return list(
        rows.order_by("pk").only("pk", "first_name", "last_name", "aliases", "case_number")[:size]
    )


def reindex(
    *,
    batch: int = BATCH,
    only_stale: bool = False,
    stop_after: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rewrite the blind index of youth under the current search key, in short batches; returns how
    many youth were rewritten.

    `only_stale` (the search-key rotation) skips youth already under the current key, which makes an
    interrupted run resume where it stopped: the rows it finished carry the new key id. Each batch
    locks its rows (PostgreSQL `FOR UPDATE`; SQLite serialises writers), so an edit of a youth waits
    for the batch instead of racing it. `stop_after` (batches) exists for tests of resuming.
    """
    key = search_keys()[0]
    done = batches = last = 0
    while True:
        with transaction.atomic():
            rows = _batch(last, batch, key.key_id if only_stale else None)
            if not rows:
                return done
            write_index(rows, key=key)
        done += len(rows)
        last = rows[-1].pk
        batches += 1
        if progress is not None:
            progress(done, last)
        if stop_after is not None and batches >= stop_after:
            return done


def stale_count() -> int:
    """Youth whose index is not known to be under the current search key (0: old keys may go)."""
    return Youth.objects.exclude(search_key_id=search_keys()[0].key_id).count()
