"""Developer tools beside the pipeline, left out of the `akhbar` wheel: a browser that looks at the UI."""
