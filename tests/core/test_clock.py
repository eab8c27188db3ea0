"""Ids: one random draw spelled in base 36 gives the same ids as a random choice per character."""

from __future__ import annotations

import random
import re
import string

from comstack_core.clock import new_id, spelled

ALPHABET = string.ascii_lowercase + string.digits


def test_spelling_a_number_is_choosing_each_character() -> None:
    """Every run of characters is one number below 36**length and back: a uniform number is a uniform choice
    of each character, as ``secrets.choice`` per character made them."""
    rng = random.Random(7)
    for length in (1, 2, 14, 20):
        for _ in range(200):
            digits = [rng.randrange(36) for _ in range(length)]
            number = sum(d * 36 ** (length - 1 - i) for i, d in enumerate(digits))
            assert spelled(number, length) == "".join(ALPHABET[d] for d in digits)
    assert spelled(0, 14) == "a" * 14
    assert spelled(36**14 - 1, 14) == "9" * 14


def test_new_ids_look_as_before() -> None:
    ids = {new_id("rev") for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"rev_[a-z0-9]{14}", i) for i in ids)
    assert re.fullmatch(r"k_[a-z0-9]{40}", new_id("k", 40))
    # Every character turns up in every position (2000 draws leave a given one out with odds below 1e-20).
    for position in (0, 6, 13):
        assert {i[4 + position] for i in ids} == set(ALPHABET)
