"""The one-word prefilter in front of the block-class patterns never rules out a class they would match."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.lib.extract.regions import _BLOCK_CLASS_WORD, _MOST_READ_CLASS, _RELATED_CLASS, _WIDGET_CLASS


@pytest.mark.parametrize(
    "pattern", [_RELATED_CLASS, _MOST_READ_CLASS, _WIDGET_CLASS], ids=lambda p: p.pattern[:30]
)
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_every_class_a_block_pattern_matches_passes_the_prefilter(pattern, data):
    # class values are lowercased before matching, as `attributes_text` does
    value = data.draw(st.from_regex(pattern, fullmatch=True)).lower()
    if pattern.search(value):
        assert _BLOCK_CLASS_WORD.search(value), value
