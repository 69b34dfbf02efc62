"""Full-text search over the published articles, usable from any DuckDB client with nothing to load.

Snowball's Arabic stemmer (DuckDB's fts extension) treats a word and its definite form differently
(المحادثات -> محادث, but محادثات -> محادثا), and a query through fts needs the extension loaded, which a plain
read-only connection (the DuckDB CLI, DBeaver) cannot do without downloading it. So the published copy carries
its own normalization as SQL macros (core functions only), an inverted index per month of articles (Parquet:
`search_index.postings` term -> article, term frequency and the article's length; `search_index.months` each
month's article and term counts, one row written with the month's postings), and `search.match(words)`, a table
macro computing BM25 (fts's formula and defaults) over every month at once: a query term's document frequency is
counted over its postings in every month, and the average length comes from the months' counts, so a score is
the one a single index over all the articles would give, while a day rebuilds only the months whose articles
changed and a query reads its terms' postings and one row per month, nothing else.
A query and an article pass through the same `terms_sql`, so they meet whatever prefix or suffix either carries.

The normalization is a light stemmer in the manner of Larkey, Ballesteros and Connell's Light10 (2007): marks
and tatweel out, hamza forms of alef unified, ى -> ي and ة -> ه; then the definite article with the particles
that attach before it (ال وال فال بال كال فبال, and لل for ل + ال) and up to two of the common suffixes (ها ان
ات ون ين يه ه ي), each only when two letters or more remain. A bare و is kept: it begins too many words (وزير).
"""

from __future__ import annotations

SCHEMA = "search"
INDEX_SCHEMA = "search_index"
POSTINGS = "postings"
MONTHS = "months"

# fts's BM25 parameters (its defaults), so `search.match` ranks as fts's `match_bm25` would
_K1, _B = 1.2, 0.75

_ARTICLE = "^(?:[وف]?[بك]?ال|[وف]?لل)(..+)$"
_SUFFIX = "^(..+?)(?:ها|ان|ات|ون|ين|يه|ه|ي)$"


def _letters_sql(text: str) -> str:
    # letters written several ways become one; marks (harakat, dagger alef) and tatweel go
    return f"""translate(
        regexp_replace(lower({text}), '[\\x{{064B}}-\\x{{065F}}\\x{{0670}}\\x{{0640}}]', '', 'g'),
        'أإآٱىة', 'اااايه'
    )"""


def _word_sql(word: str) -> str:
    return f"""regexp_replace(
        regexp_replace(regexp_replace({word}, '{_ARTICLE}', '\\1'), '{_SUFFIX}', '\\1'), '{_SUFFIX}', '\\1'
    )"""


def terms_sql(text: str) -> str:
    """The SQL expression (core functions only) turning the text expression `text` into its list of search
    terms: what the stored macros compute, written out so the index is built before any macro exists."""
    return f"""list_filter(
        list_transform(
            string_split_regex(
                trim(regexp_replace({_letters_sql(f"coalesce({text}, '')")}, '[^\\p{{L}}\\p{{N}}]+', ' ', 'g')),
                ' '
            ),
            lambda w: {_word_sql("w")}
        ),
        lambda w: w <> ''
    )"""


def macros(catalog: str) -> list[str]:
    """The analysts' search macros, created in `catalog`; `search.match` reads the index views of the
    `search_index` schema, resolved where it is called: in the published copy."""
    schema = f"{catalog}.{SCHEMA}"
    return [
        f"create or replace macro {schema}.terms(text) as {terms_sql('text')}",
        f"create or replace macro {schema}.text(text) as array_to_string({terms_sql('text')}, ' ')",
        # One select, no CTE: DuckDB materializes a CTE named twice, and a materialized CTE in the macro kept
        # the caller's join to marts.articles from pruning the view's columns (query 05 read every body, 5x
        # slower). A term's postings carry its articles' lengths, so no join to a per-article table either.
        f"""
        create or replace macro {schema}.match(words) as table
        select
            hits.article_id,
            sum(
                log((stats.num_docs - hits.df + 0.5) / (hits.df + 0.5) + 1)
                * (hits.tf * ({_K1} + 1))
                / (hits.tf + {_K1} * (1 - {_B} + {_B} * hits.len / stats.avgdl))
            ) as score
        from (
            select term, article_id, tf, len, count(*) over (partition by term) as df
            from {INDEX_SCHEMA}.{POSTINGS}
            where term in (select unnest({terms_sql("words")}))
        ) as hits
        cross join (
            select sum(documents) as num_docs, sum(terms) / sum(documents) as avgdl from {INDEX_SCHEMA}.{MONTHS}
        ) as stats
        group by hits.article_id
        """,
    ]


def postings_sql(articles: str) -> str:
    """One month's postings (term, article_id, tf, len) over the title and body of the `articles` relation, sorted
    by term so a query's terms read few of the file's row groups; `len` is the article's length in terms."""
    return f"""
        with tokens as (
            select article_id, unnest({terms_sql("title")} || {terms_sql("body_text")}) as term
            from {articles}
        ),
        frequencies as (
            select term, article_id, cast(count(*) as integer) as tf from tokens group by term, article_id
        )
        select term, article_id, tf, cast(sum(tf) over (partition by article_id) as integer) as len
        from frequencies
        order by term, article_id
    """


def month_sql(postings_file: str) -> str:
    """A month's one row of counts (articles indexed, terms in them) from its postings file just written: what
    BM25's document count and average length add up over the months, read at query time without the postings."""
    return f"""
        select count(distinct article_id) as documents, sum(tf) as terms
        from read_parquet({postings_file})
    """
