from __future__ import annotations

from sightline.privacy.blind_index import digests, index_tokens, name_tokens, token_digest


def test_name_tokens_fold_case_and_accents() -> None:
    assert name_tokens("María-José", None, "", "  O'BRIEN ") == {"maria", "jose", "o", "brien"}
    assert name_tokens("Straße") == {"strasse"}
    assert name_tokens("Nguyễn Thị") == {"nguyen", "thi"}
    assert name_tokens("李小龙") == {"李小龙"}
    assert name_tokens("___ -- '") == set()


def test_index_tokens_add_the_run_together_form_of_multi_word_names() -> None:
    assert index_tokens("María-José", "Lee") == {"maria", "jose", "mariajose", "lee"}
    assert index_tokens("O'Brien") == {"o", "brien", "obrien"}


def test_digests_are_keyed() -> None:
    one, two = b"1" * 32, b"2" * 32
    assert token_digest("maria", key=one) != token_digest("maria", key=two)
    assert token_digest("maria", key=one) == token_digest("maria", key=one)
    assert len(digests({"a", "b"}, key=one)) == 2
    assert "maria" not in token_digest("maria", key=one)
