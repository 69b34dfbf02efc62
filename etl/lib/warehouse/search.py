"""Full-text search over the published articles, usable from any DuckDB client with nothing to load.

DuckDB's fts extension stems with Snowball's Arabic stemmer, which treats a word and its definite form
differently (المحادثات -> محادث, but محادثات -> محادثا), and its `match_bm25` calls the extension's `stem` on
every query, so a plain read-only connection (the DuckDB CLI, DBeaver) cannot search without downloading it.
So the copy carries its own normalization as SQL macros (core functions only), the article text already
normalized by them (`search.articles`), the fts index built over that text with no stemmer of its own, and
`search.match(words)`, a table macro computing fts's BM25 from the index tables in plain SQL. A query and an
article pass through the same `search.terms`, so they meet whatever prefix or suffix either carries.

The normalization is a light stemmer in the manner of Larkey, Ballesteros and Connell's Light10 (2007): marks
and tatweel out, hamza forms of alef unified, ى -> ي and ة -> ه; then the definite article with the particles
that attach before it (ال وال فال بال كال فبال, and لل for ل + ال) and up to two of the common suffixes (ها ان
ات ون ين يه ه ي), each only when two letters or more remain. A bare و is kept: it begins too many words (وزير).
"""

from __future__ import annotations

import duckdb

SCHEMA = "search"
INDEXED_TABLE = f"{SCHEMA}.articles"
# `create_fts_index` names its schema after the indexed table: fts_<schema>_<table>
INDEX_SCHEMA = f"fts_{SCHEMA}_articles"

# fts's BM25 parameters (its defaults), so `search.match` ranks as `match_bm25` would
_K1, _B = 1.2, 0.75

_ARTICLE = "^(?:[وف]?[بك]?ال|[وف]?لل)(..+)$"
_SUFFIX = "^(..+?)(?:ها|ان|ات|ون|ين|يه|ه|ي)$"


def _macros(schema: str) -> list[str]:
    """The macros, created in `schema` (qualified with the catalog being built); their bodies name `search.`,
    resolved where they are called: in the published copy."""
    return [
        # letters written several ways become one; marks (harakat, dagger alef) and tatweel go
        f"""create or replace macro {schema}.letters(text) as
            translate(
                regexp_replace(lower(text), '[\\x{{064B}}-\\x{{065F}}\\x{{0670}}\\x{{0640}}]', '', 'g'),
                'أإآٱىة', 'اااايه'
            )""",
        f"""create or replace macro {schema}.word(w) as
            regexp_replace(
                regexp_replace(regexp_replace(w, '{_ARTICLE}', '\\1'), '{_SUFFIX}', '\\1'), '{_SUFFIX}', '\\1'
            )""",
        f"""create or replace macro {schema}.terms(text) as
            list_filter(
                list_transform(
                    string_split_regex(
                        trim(regexp_replace(search.letters(coalesce(text, '')), '[^\\p{{L}}\\p{{N}}]+', ' ', 'g')),
                        ' '
                    ),
                    lambda w: search.word(w)
                ),
                lambda w: w <> ''
            )""",
        f"create or replace macro {schema}.text(text) as array_to_string(search.terms(text), ' ')",
    ]


def _match_macro(schema: str) -> str:
    index = INDEX_SCHEMA
    return f"""
        create or replace macro {schema}.match(words) as table
        with query_terms as (
            select distinct unnest(search.terms(words)) as term
        ),
        term_counts as (
            select terms.docid, terms.termid, count(*) as tf
            from {index}.terms as terms
            join {index}.dict as dict on dict.termid = terms.termid
            join query_terms on query_terms.term = dict.term
            group by terms.docid, terms.termid
        )
        select
            docs.name as article_id,
            sum(
                log(((select num_docs from {index}.stats) - dict.df + 0.5) / (dict.df + 0.5) + 1)
                * (tf * ({_K1} + 1))
                / (tf + {_K1} * (1 - {_B} + {_B} * docs.len / (select avgdl from {index}.stats)))
            ) as score
        from term_counts
        join {index}.docs as docs on docs.docid = term_counts.docid
        join {index}.dict as dict on dict.termid = term_counts.termid
        group by docs.name
    """


def build_search(conn: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Create the search schema, its normalized article text, the fts index and `search.match` in `catalog`,
    which must be the connection's current database (`create_fts_index` writes there) with `marts.articles`
    and the fts extension loaded."""
    schema = f"{catalog}.{SCHEMA}"
    conn.execute(f"create schema if not exists {schema}")
    for macro in _macros(schema):
        conn.execute(macro)
    conn.execute(
        f"create or replace table {catalog}.{INDEXED_TABLE} as "
        "select article_id, search.text(title) as title, search.text(body_text) as body_text "
        f"from {catalog}.marts.articles"
    )
    # the text is normalized already: fts must not stem it again
    conn.execute(
        f"pragma create_fts_index('{INDEXED_TABLE}', 'article_id', 'title', 'body_text', "
        "stemmer = 'none', stopwords = 'none', overwrite = 1)"
    )
    conn.execute(_match_macro(schema))
