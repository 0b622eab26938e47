"""sqlglot dialects for Flink SQL, registered under the ``sqlglot.dialects`` entry point."""
