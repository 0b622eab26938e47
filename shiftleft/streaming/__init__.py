"""Streaming semantics of a Flink query: its changelog, and the sink table that can take it."""
