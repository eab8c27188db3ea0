"""Words of a question or a sentence, per language: tokens, stop words and Snowball stems.

Stop words come from the ``stopwords`` package (the classic short lists: articles, pronouns, auxiliaries).
Spoken questions carry more filler than written text ("can you tell me", "I'd like to know", "por favor"),
so a few such words per language are dropped as well: they say nothing about which page answers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import snowballstemmer
import stopwords as stopword_lists

from ..rules.locales import base_language

_WORD = re.compile(r"\w+(?:'\w+)*", re.UNICODE)

# Snowball algorithm per base language (only those snowballstemmer ships are kept at lookup time).
_SNOWBALL = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}

# Words of spoken requests that the written-text lists lack. General conversational filler only.
SPOKEN_FILLER = {
    "en": "a an can could would will may might please tell know want wanted need like hi hello hey ok okay "
    "yes yeah yep thanks thank um uh er just really also actually something anything someone "
    "question wondering wonder say explain mean do does did get i'd i'm i've let's us many much",
    "es": "a de del el la los las un una unos unas y o que qué como cómo cuál cuáles cuándo dónde quién "
    "puedo puede puedes podría podrías quiero quisiera necesito saber decir dime explicar favor "
    "hola gracias sí vale bueno algo alguien me mi mis te tu se es son hay hacer hago",
    "fr": "a à de du des le la les un une et ou est ce cet cette ces je tu il elle on nous vous y en "
    "comment pourquoi quoi quel quelle peux pouvez puis voudrais veux savoir dire expliquer "
    "bonjour merci oui plaît s'il d'un d'une qu'est",
    "de": "der die das den dem des ein eine einen einem einer und oder ist sind wie was wer wo wann "
    "warum welche welcher welches ich du wir sie es kann können kannst möchte möchten will "
    "wissen sagen erklären bitte hallo danke ja gibt man mir mich",
    "pt": "a o os as um uma uns umas de do da dos das e ou que como qual quais quando onde quem "
    "eu posso pode podes poderia quero gostaria preciso saber dizer explicar favor olá "
    "obrigado obrigada sim me meu minha se é são há fazer",
    "it": "a il lo la i gli le un una uno di del della dei e o che come quale quali quando dove chi "
    "io posso puoi potrei vorrei voglio devo sapere dire spiegare favore ciao grazie sì mi "
    "si è sono c'è fare",
}


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """Lowercase without diacritics (transcripts and typed questions often drop accents), one apostrophe."""
    lowered = word.lower().replace("’", "'").replace("‘", "'")
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Lowercased words, apostrophes normalised so "what’s" and "what's" are one word."""
    return [w.lower() for w in _WORD.findall(text.replace("’", "'").replace("‘", "'"))]


@lru_cache(maxsize=64)
def stop_words(language: str) -> frozenset[str]:
    base = base_language(language)
    listed = stopword_lists.safe_get_stopwords(language) or stopword_lists.safe_get_stopwords(base)
    words = {fold(w) for w in listed} | {fold(w) for w in SPOKEN_FILLER.get(base, "").split()}
    return frozenset(words)


@lru_cache(maxsize=64)
def stemmer(language: str) -> Callable[[str], str]:
    """The language's Snowball stemmer (PyStemmer's C code when installed), memoised per word: page text
    repeats its words, and every candidate page is stemmed for each question."""
    name = _SNOWBALL.get(base_language(language))
    if name is None or name not in snowballstemmer.algorithms():
        return lru_cache(maxsize=20_000)(fold)
    stem = snowballstemmer.stemmer(name)

    @lru_cache(maxsize=50_000)
    def stem_word(word: str) -> str:
        return fold(stem.stemWord(word))

    return stem_word


def is_stop(word: str, language: str) -> bool:
    folded = fold(word)
    if folded in stop_words(language):
        return True
    # "what's" -> "what" + "s": drop it when its head is a stop word (the lists miss most contractions).
    head = folded.split("'", 1)[0]
    return head != folded and head in stop_words(language)


def content_words(text: str, language: str) -> list[str]:
    """The words that carry meaning, in order, without repeats (raw form, lowercased)."""
    seen: dict[str, None] = {}
    for word in tokens(text):
        if is_stop(word, language):
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        seen.setdefault(word, None)
    return list(seen)


def terms(text: str, language: str) -> frozenset[str]:
    """Stems of the content words: what sentence ranking compares."""
    stem = stemmer(language)
    return frozenset(stem(w) for w in content_words(text, language))


def lead_term(text: str, language: str) -> str:
    """The stem of the first content word: the subject of a definition ("Draft: the one pending edit")."""
    words = content_words(text, language)
    return stemmer(language)(words[0]) if words else ""


def term_words(text: str, language: str) -> dict[str, list[str]]:
    """Stem -> the question's words with that stem (the index is searched for the words and the stem)."""
    stem = stemmer(language)
    out: dict[str, list[str]] = {}
    for word in content_words(text, language):
        out.setdefault(stem(word), []).append(word)
    return out


def same_term(a: str, b: str) -> bool:
    """Stems of one word family: equal, or the shorter (four letters or more) begins the longer, which
    adds at most 70 % of its length.

    Snowball leaves some pairs apart ("call" / "caller", "traduc" for traducir / "traduccion" for
    traducción); a shared prefix joins them without a dictionary, and the length bound keeps "mani"
    (many) away from "manifest"."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 4 or not long_.startswith(short):
        return False
    return len(long_) - len(short) <= len(short) * 7 // 10
