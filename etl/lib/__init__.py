"""Dagster-free pipeline code: every stage here is a plain function, unit-tested on its own."""
