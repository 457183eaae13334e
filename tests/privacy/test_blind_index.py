from __future__ import annotations

from sightline.privacy.blind_index import (
    digests,
    index_tokens,
    name_tokens,
    prefix_tokens,
    search_alternatives,
    stored_tokens,
    token_digest,
)


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


def test_letters_that_do_not_decompose_are_transliterated() -> None:
    # Names the synthetic generator itself produces; Unicode NFKD leaves these letters alone.
    assert name_tokens("Søren Łukasz Y\u0131lmaz Đặng") == {"soren", "lukasz", "yilmaz", "dang"}
    assert name_tokens("Æsa Œuvre Þór Straße Ðorđe") == {
        "aesa",
        "oeuvre",
        "thor",
        "strasse",
        "dorde",
    }
    assert name_tokens("İSTANBUL ØRSTED") == {"istanbul", "orsted"}


def test_prefix_tokens_are_the_proper_prefixes_from_three_letters_marked() -> None:
    assert prefix_tokens("Castellanos") == {
        "cas*", "cast*", "caste*", "castel*", "castell*", "castella*", "castellan*", "castellano*",
    }  # fmt: skip
    assert prefix_tokens("Li", "Ana") == set()  # too short for any proper prefix of 3+
    assert "o'b*" not in prefix_tokens("O'Brien") and "obr*" in prefix_tokens("O'Brien")
    # A prefix never equals a whole-word token, so likely-duplicate checks stay whole-word.
    assert not prefix_tokens("Castellanos") & index_tokens("Cast", "Castellano")


def test_stored_tokens_are_whole_words_and_prefixes() -> None:
    assert stored_tokens("Søren") == {"soren", "sor*", "sore*"}


def test_a_search_word_matches_whole_or_as_a_prefix_from_three_letters() -> None:
    assert search_alternatives("cast") == {"cast", "cast*"}
    assert search_alternatives("li") == {"li"}
    assert search_alternatives("cast") & stored_tokens("Castellanos")
    assert search_alternatives("soren") & stored_tokens("Søren")
    assert not search_alternatives("li") & stored_tokens("Lilia")
    assert not search_alternatives("ellan") & stored_tokens("Castellanos")  # never inside a word
