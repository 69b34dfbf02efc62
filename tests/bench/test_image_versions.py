"""The Mozilla image truth names one `src`, the one readability's lazy-image fix copied there from whichever
attribute held a file: every address the page's <img> offers is that picture, whichever one ours is."""

import lxml.html

from bench.extraction import _printed_versions

PAGE = """<html><body><article>
<figure><img class="lazy" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-hi="/img/harbour.jpg"
  data-srcset="/img/harbour-400.jpg 400w, /img/harbour-800.jpg 800w"><figcaption>The harbour.</figcaption></figure>
<img src="/img/pier.jpg" srcset="/img/pier-2x.jpg 2x">
</article></body></html>"""


def test_a_lazy_pictures_versions_are_found_from_the_address_readability_copied_into_src() -> None:
    versions = _printed_versions(lxml.html.fromstring(PAGE))

    # readability's truth is the `data-hi` file: its versions are the picture's other sizes
    assert {"http://fakehost/img/harbour-800.jpg", "http://fakehost/img/harbour-400.jpg"} <= set(
        versions["http://fakehost/img/harbour.jpg"]
    )
    # a plain picture keeps its src's versions, and another picture's files are never among them
    assert "http://fakehost/img/pier-2x.jpg" in versions["http://fakehost/img/pier.jpg"]
    assert "http://fakehost/img/pier.jpg" not in versions["http://fakehost/img/harbour.jpg"]
