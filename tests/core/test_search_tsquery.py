"""The smaller query PostgreSQL search ranks with (``page_store.tsquery``): what it may drop and what it must
keep. ``test_search_ranking_pg.py`` holds its matches and ranks equal to the full query's on PostgreSQL."""

from __future__ import annotations

from comstack_core.services.page_store.tsquery import conjunction, covers, reduced


def test_reads_plain_conjunctions_only() -> None:
    assert conjunction("'account' & 'bill':*") == [("account", False), ("bill", True)]
    assert conjunction("") == []
    for other in ("'foo':* <-> 'bar':*", "'a' | 'b'", "!'a'", "'a':*AB", "'it''s'", "( 'a' & 'b' )"):
        assert conjunction(other) is None, other


def test_a_prefix_covers_longer_lexemes_an_exact_lexeme_only_itself() -> None:
    assert covers(("bill", True), ("billing", True))
    assert covers(("bill", True), ("billing", False))
    assert covers(("bill", True), ("bill", False))
    assert not covers(("billing", True), ("bill", True))
    assert not covers(("bill", False), ("billing", False))
    assert not covers(("bill", False), ("bill", True))
    assert covers(("bill", False), ("bill", False))


def test_the_same_query_twice_is_asked_once() -> None:
    assert reduced(["'account':*", "'account':*"]) == "'account':*"
    assert reduced(["'account' & 'account':*", "'account' & 'account':*"]) == "'account' & 'account':*"


def test_a_query_matching_less_within_the_same_positions_is_dropped() -> None:
    assert reduced(["'account' & 'ship':*", "'account' & 'shipping':*"]) == "'account' & 'ship':*"
    assert reduced(["'updat':*", "'update':*"]) == "'updat':*"


def test_operands_that_match_other_positions_are_kept() -> None:
    # 'the' implies nothing less, but its positions count inside a cover of the other words: kept.
    assert reduced(["'account':*", "'the' & 'account':*"]) == "( 'account':* ) | ( 'the' & 'account':* )"
    # Exact lexemes that differ match different positions, whatever the prefix does.
    assert (
        reduced(["'bill' & 'updat':*", "'billing' & 'update':*"])
        == "( 'bill' & 'updat':* ) | ( 'billing' & 'update':* )"
    )


def test_common_operands_come_out_of_the_or() -> None:
    assert (
        reduced(["'navig' & 'return':*", "'navigation' & 'return':*"])
        == "'return':* & ( ( 'navig' ) | ( 'navigation' ) )"
    )
    assert (
        reduced(["'account' & 'bill':*", "'account' & 'the' & 'billing':*"])
        == "'account' & ( ( 'bill':* ) | ( 'the' & 'billing':* ) )"
    )


def test_stop_words_alone_and_phrases() -> None:
    assert reduced(["", "'the':*"]) == "'the':*"
    assert reduced(["", ""]) == ""
    assert reduced(["'foo':* <-> 'bar':*", "'foo':* <-> 'bar':*"]) is None
