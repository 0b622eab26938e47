"""Spark built-in coverage: refresh the function snapshot, or regenerate docs/functions.md.

    .venv/bin/python scripts/spark_functions.py docs       # write docs/functions.md
    .venv/bin/python scripts/spark_functions.py snapshot   # re-read SHOW FUNCTIONS from PySpark

The classification itself is data: rules/spark-functions/coverage.yaml.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shiftleft.dialects.spark_coverage import functions_markdown

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "functions.md"
SNAPSHOT = ROOT / "rules" / "spark-functions" / "spark-builtins.json"


def spark_function_groups(spark) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """``SHOW FUNCTIONS`` of a running SparkSession, each with its ExpressionInfo group."""
    catalog = spark._jsparkSession.sessionState().catalog()
    ident = spark._jvm.org.apache.spark.sql.catalyst.FunctionIdentifier
    out = []
    for row in spark.sql("SHOW FUNCTIONS").collect():
        info = catalog.lookupFunctionInfo(ident.apply(row[0]))
        out.append({"name": row[0], "group": info.getGroup() or "operators"})
    return out


def write_snapshot() -> None:
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
    functions = spark_function_groups(spark)
    source = "SHOW FUNCTIONS on a local[1] SparkSession; group from ExpressionInfo (scripts/spark_functions.py snapshot)"
    lines = ",\n".join("    " + json.dumps(f, ensure_ascii=False) for f in functions)
    SNAPSHOT.write_text(
        f'{{\n  "spark_version": "{spark.version}",\n  "source": {json.dumps(source)},\n'
        f'  "functions": [\n{lines}\n  ]\n}}\n',
        encoding="utf-8",
    )
    spark.stop()


def main(argv: list[str]) -> int:
    if argv[:1] == ["snapshot"]:
        write_snapshot()
    elif argv[:1] == ["docs"]:
        DOCS.write_text(functions_markdown(), encoding="utf-8")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
