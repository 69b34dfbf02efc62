"""Near-duplicate clusters within a batch: wire copies that several sites print with small edits.

MinHash over word 4-gram shingles with locality-sensitive hashing, vectorized in Polars:

1. each body's comparison text (letters and digits, Arabic variants unified) is split into words, and every run
   of four words becomes one shingle hash;
2. a signature of `SIGNATURE_SIZE` minimum hashes estimates the Jaccard similarity of two bodies' shingles;
3. bodies that agree on a whole band of the signature become candidates; a candidate pair is kept only when
   its full signatures agree on at least `MIN_AGREEMENT` of the positions (estimated Jaccard >= 0.75), so a
   shared boilerplate paragraph does not chain unrelated stories together;
4. connected bodies form a cluster whose id is the smallest exact fingerprint among its members.

A body with no near copy keeps its exact fingerprint (sha256 of its comparison text) as its cluster id, so
identical copies share an id across batches too; near (not identical) copies are linked within a batch. The
Polars hash only chooses which bodies are linked: the ids themselves are sha256 digests and stay stable.
"""

from __future__ import annotations

import polars as pl

SHINGLE_WORDS = 4
SIGNATURE_SIZE = 16
BAND_ROWS = 4
MIN_AGREEMENT = 12
CHUNK_ROWS = 5_000
# Label propagation halves a component's diameter per round at worst; batches never need this many.
MAX_ROUNDS = 32
# Odd 64-bit constants that spread each word's hash across the shingle hash (wrapping arithmetic).
_MIXERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5)


def _signatures(texts: pl.DataFrame) -> pl.DataFrame:
    """`doc`, `fingerprint` and `m0..m{SIGNATURE_SIZE-1}`: the minimum hashes of each body's shingles.

    Bodies are taken `CHUNK_ROWS` at a time: the shingle lists of a whole batch, hashed sixteen ways at once,
    would take gigabytes.
    """
    word = pl.element()
    shingle = word * pl.lit(_MIXERS[0], pl.UInt64)
    for offset in range(1, SHINGLE_WORDS):
        shingle = shingle + word.shift(-offset) * pl.lit(_MIXERS[offset], pl.UInt64)
    chunks = []
    for chunk in texts.iter_slices(CHUNK_ROWS):
        shingles = chunk.select(
            "doc",
            "fingerprint",
            pl.col("words")
            .str.split(" ")
            .list.eval(word.hash(seed=0))
            .list.eval(shingle.drop_nulls())
            .alias("shingles"),
        ).filter(pl.col("shingles").list.len() > 0)
        chunks.append(
            shingles.select(
                "doc",
                "fingerprint",
                *[
                    pl.col("shingles").list.eval(word.hash(seed=k + 1)).list.min().alias(f"m{k}")
                    for k in range(SIGNATURE_SIZE)
                ],
            )
        )
    schema = {
        "doc": pl.UInt32,
        "fingerprint": pl.String,
        **{f"m{k}": pl.UInt64 for k in range(SIGNATURE_SIZE)},
    }
    return pl.concat(chunks) if chunks else pl.DataFrame(schema=schema)


def _candidate_pairs(signatures: pl.DataFrame) -> pl.DataFrame:
    """(`a`, `b`) docs agreeing on a whole band; each bucket links its members to its first, so it stays linear."""
    bands = pl.concat(
        [
            signatures.select(
                "doc",
                pl.lit(band).alias("band"),
                pl.concat_list([f"m{k}" for k in range(band * BAND_ROWS, (band + 1) * BAND_ROWS)])
                .hash()
                .alias("key"),
            )
            for band in range(SIGNATURE_SIZE // BAND_ROWS)
        ]
    )
    return (
        bands.with_columns(pl.col("doc").min().over("band", "key").alias("a"))
        .filter(pl.col("doc") != pl.col("a"))
        .select("a", pl.col("doc").alias("b"))
        .unique()
    )


def _verified_edges(signatures: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    left = signatures.select("doc", *[pl.col(f"m{k}").alias(f"a{k}") for k in range(SIGNATURE_SIZE)])
    right = signatures.select("doc", *[pl.col(f"m{k}").alias(f"b{k}") for k in range(SIGNATURE_SIZE)])
    joined = pairs.join(left, left_on="a", right_on="doc").join(right, left_on="b", right_on="doc")
    agreement = pl.sum_horizontal(
        [(pl.col(f"a{k}") == pl.col(f"b{k}")).cast(pl.Int32) for k in range(SIGNATURE_SIZE)]
    )
    return joined.filter(agreement >= MIN_AGREEMENT).select("a", "b")


def _components(labels: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """`doc` -> `label`: the smallest label in its connected component, by label propagation over `edges`."""
    both_ways = pl.concat([edges, edges.select(pl.col("b").alias("a"), pl.col("a").alias("b"))])
    for _ in range(MAX_ROUNDS):
        neighbour = (
            both_ways.join(labels, left_on="b", right_on="doc")
            .group_by("a")
            .agg(pl.col("label").min().alias("neighbour"))
        )
        updated = labels.join(neighbour, left_on="doc", right_on="a", how="left").select(
            "doc", pl.min_horizontal("label", "neighbour").alias("label")
        )
        if updated.join(labels, on="doc").filter(pl.col("label") != pl.col("label_right")).height == 0:
            return updated
        labels = updated
    return labels


def near_duplicate_clusters(words: pl.Series, fingerprints: pl.Series) -> pl.Series:
    """Cluster id per row: `words` is each body's comparison text with single spaces, `fingerprints` its exact
    fingerprint (null where the body is too short to compare; the cluster id is then null too)."""
    texts = pl.DataFrame({"words": words, "fingerprint": fingerprints}).with_row_index("doc")
    comparable = texts.filter(pl.col("fingerprint").is_not_null())
    signatures = _signatures(comparable)
    edges = _verified_edges(signatures, _candidate_pairs(signatures))
    labels = _components(comparable.select("doc", pl.col("fingerprint").alias("label")), edges)
    return (
        texts.join(labels, on="doc", how="left", maintain_order="left")
        .select(pl.coalesce("label", "fingerprint").alias(fingerprints.name))
        .to_series()
    )
