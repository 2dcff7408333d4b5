"""Name search that stays fast on a national registry.

On PostgreSQL the folded names (``Person.search_key``) are matched word by word with a
full-text prefix query over a GIN index: ``to_tsvector('simple', search_key) @@
to_tsquery('simple', 'muhammad & saputra:*')``. The 'simple' configuration does no
stemming — names are not words of a language — and the prefix operator on the last word
matches a name still being typed. SQLite, the embedded default for small offices, scans with
LIKE, which is fine at its scale.
"""

import re

from django.db import connections
from django.db.models import Field, Lookup, Q

_WORD = re.compile(r"[a-z]+")


@Field.register_lookup
class NamePrefixWords(Lookup):
    """``search_key__name_words="muhammad:* & saputra:*"`` (PostgreSQL only)."""

    lookup_name = "name_words"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"to_tsvector('simple'::regconfig, {lhs}) @@ to_tsquery('simple'::regconfig, {rhs})"
        return sql, [*lhs_params, *rhs_params]


def name_condition(folded_query: str, using: str = "default") -> Q:
    """A filter matching every word of an already folded query (``names.name_key``)."""
    words = _WORD.findall(folded_query)
    if not words:
        return Q()
    if connections[using].vendor == "postgresql":
        # Whole words match exactly (cheaper on the index); the last word is a prefix,
        # because that is the one still being typed.
        terms = [*words[:-1], f"{words[-1]}:*"]
        return Q(search_key__name_words=" & ".join(terms))
    condition = Q()
    for word in words:
        condition &= Q(search_key__contains=word)
    return condition
