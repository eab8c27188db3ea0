"""PostgreSQL: the search's query written smaller, with the same matches and the same ranks.

search-docs asks one query per text-search configuration of the project and ORs them
(``to_tsquery('english', q) || to_tsquery('simple', q)``); for most words the configurations give the
same lexemes, or lexemes one of which matches everything the other does (``'ship':*`` and
``'shipping':*``), so the OR repeats its operands and ``ts_rank_cd`` reads each of their positions twice.

``ts_rank_cd`` with normalization 0 depends on two things only: the positions of the page that some
operand matches (each position once, whichever operands match it) and, over each stretch of those
positions, whether the query holds. So a query may be replaced by another that matches the same set of
positions and is true over exactly the same stretches; these do, and nothing else is attempted:

* a conjunction that appears twice is kept once;
* a conjunction C is dropped beside another D when C implies D (every operand of D has an operand of C
  whose lexemes it also matches) and C's operands match no position D's do not (each has an operand of
  D matching all its lexemes);
* the operands common to all conjunctions are taken out of the OR (``R & (A | B)`` for
  ``(R & A) | (R & B)``), when no conjunction is left empty by it.

Each configuration's query must be a plain AND of lexemes (``'a' & 'b':*``); anything else (a phrase,
for instance, which a word with an underscore gives) keeps the OR as PostgreSQL wrote it.
"""

from __future__ import annotations

import re

# A lexeme and whether it matches as a prefix.
Operand = tuple[str, bool]

_OPERAND = re.compile(r"'([^'\\]+)'(:\*)?")


def conjunction(printed: str) -> list[Operand] | None:
    """The operands of a tsquery as PostgreSQL prints it, when it is a plain AND of lexemes ([] for
    the empty query, which stop words alone give); None for anything else."""
    if not printed:
        return []
    operands: list[Operand] = []
    for part in printed.split(" & "):
        found = _OPERAND.fullmatch(part)
        if found is None:
            return None
        operands.append((found[1], found[2] is not None))
    return operands


def covers(wide: Operand, narrow: Operand) -> bool:
    """Whether ``wide`` matches every lexeme ``narrow`` matches (lexemes compare byte by byte, and a
    code-point prefix is a byte prefix in UTF-8)."""
    lexeme, prefix = wide
    return narrow[0].startswith(lexeme) if prefix else narrow == wide


def _implied(c: frozenset[Operand], d: frozenset[Operand]) -> bool:
    """C implies D and matches no position D does not."""
    return all(any(covers(a, b) for b in c) for a in d) and all(any(covers(a, b) for a in d) for b in c)


def _text(operand: Operand) -> str:
    return f"'{operand[0]}'" + (":*" if operand[1] else "")


def _and(operands: list[Operand]) -> str:
    return " & ".join(_text(o) for o in operands)


def reduced(printed: list[str]) -> str | None:
    """An equivalent, smaller tsquery (as text) for the OR of the configurations' queries (as PostgreSQL
    printed them, in order), or None when one of them is not a plain AND of lexemes."""
    parsed = [conjunction(p) for p in printed]
    if any(p is None for p in parsed):
        return None
    ordered: list[list[Operand]] = []  # each conjunction's operands in first-seen order, duplicates out
    for operands in parsed:
        assert operands is not None
        unique = list(dict.fromkeys(operands))
        if unique and frozenset(unique) not in {frozenset(o) for o in ordered}:
            ordered.append(unique)
    kept = list(ordered)
    for candidate in ordered:
        c = frozenset(candidate)
        if any(other is not candidate and _implied(c, frozenset(other)) for other in kept):
            kept.remove(candidate)
    if not kept:
        return ""
    if len(kept) == 1:
        return _and(kept[0])
    common = [o for o in kept[0] if all(o in other for other in kept[1:])]
    rests = [[o for o in operands if o not in common] for operands in kept]
    if not common or not all(rests):
        return " | ".join(f"( {_and(operands)} )" for operands in kept)
    return _and(common) + " & ( " + " | ".join(f"( {_and(rest)} )" for rest in rests) + " )"
