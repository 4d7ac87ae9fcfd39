"""Identity of curated records: slugs minted from names, and names compared as a curator would.

The IRI policy (``ontology/README.md``) mints identifiers from what a record is (its Spanish name,
its country, its position in the source), never from a row number or a counter, so the same record
gets the same IRI however often it is imported. Two records are *likely the same* when their names
differ only in accents, case, spacing or punctuation, or when they carry the same legal identifier.

>>> slug("Ley de Protección a Hondureños Migrantes")
'ley-de-proteccion-a-hondurenos-migrantes'
>>> same_name("Ayuntamiento de  Tapachula", "ayuntamiento de tapachula")
True
>>> legal_key("Decreto Legislativo No. 106-2013") == legal_key("decreto legislativo nº 106 2013")
True
"""

from __future__ import annotations

import re
import unicodedata

#: minted slugs stop at a word boundary before this many characters (IRIs people can read and type)
MAX_SLUG = 60

_NON_WORD = re.compile(r"[^a-z0-9]+")


def strip_accents(text: str) -> str:
    """``text`` without combining marks (á → a, ñ → n), after compatibility decomposition."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by ``-``, cut at a word boundary before ``limit`` characters."""
    words = [w for w in _NON_WORD.split(strip_accents(text).lower()) if w]
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit and out:
            break
        out = candidate
    return out[:limit]


def name_key(text: str) -> str:
    """A name reduced to what identifies it: no accents, case, punctuation or repeated spaces."""
    return " ".join(w for w in _NON_WORD.split(strip_accents(text).lower()) if w)


def same_name(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


#: words that legal identifiers write in several ways ("No.", "Nº", "número")
_LEGAL_NOISE = {"no", "n", "nro", "num", "numero", "o"}


def legal_key(text: str) -> str:
    """A legal identifier ("Decreto 216 de 2021") reduced so that spelling variants compare equal."""
    words = [w for w in _NON_WORD.split(strip_accents(text).lower()) if w and w not in _LEGAL_NOISE]
    return " ".join(words)
