"""Planner errors read from Java exception text (no JVM needed): the same failure gives the
same message in every run."""

from __future__ import annotations

import pytest

from shiftleft.flink_engine.java_errors import java_error_to_planner_error
from shiftleft.flink_engine.script import SqlSegment

TRACE = (
    "java.lang.ClassCastException: class org.apache.calcite.rex.RexInputRef cannot be cast to class "
    "java.lang.Comparable (org.apache.calcite.rex.RexInputRef is in unnamed module of loader "
    "org.apache.flink.table.planner.loader.PlannerModule$PlannerComponentClassLoader @{hash}; "
    "java.lang.Comparable is in module java.base of loader 'bootstrap')\n"
    "\tat org.apache.calcite.Foo.bar(Foo.java:1)\n"
)


@pytest.mark.parametrize("hashes", [("53730535", "13e8cf95"), ("1b2c3d", "7fffffff")])
def test_a_java_identity_hash_does_not_reach_the_message(hashes: tuple[str, str]) -> None:
    segment = SqlSegment(sql="SELECT 1", line=1, column=1, offset=0)
    messages = [
        java_error_to_planner_error(RuntimeError(TRACE.format(hash=h)), 1, segment).message for h in hashes
    ]
    assert messages[0] == messages[1]
    assert "PlannerComponentClassLoader;" in messages[0] and "@" not in messages[0]


BAD_CALL = (
    "org.apache.flink.table.api.ValidationException: SQL validation failed. Invalid function call:\n"
    "COALESCE(STRING, DOUBLE)\n"
    "\tat org.apache.flink.Foo.bar(Foo.java:1)\n"
    "Caused by: org.apache.flink.table.api.ValidationException: Invalid function call:\n"
    "COALESCE(STRING, DOUBLE)\n"
    "\tat org.apache.flink.Foo.bar(Foo.java:2)\n"
    "Caused by: org.apache.flink.table.api.ValidationException: Invalid input arguments. Expected signatures are:\n"
    "COALESCE(<COMMON>, <COMMON>...)\n"
    "\tat org.apache.flink.Foo.bar(Foo.java:3)\n"
    "Caused by: org.apache.flink.table.api.ValidationException: Invalid input arguments.\n"
    "\tat org.apache.flink.Foo.bar(Foo.java:4)\n"
)


def test_a_bad_call_names_the_call_and_the_signatures() -> None:
    """Flink's deepest cause is a bare 'Invalid input arguments.'; the message a user gets
    names the call with its argument types and what Flink expected."""
    segment = SqlSegment(sql="SELECT 1", line=1, column=1, offset=0)
    message = java_error_to_planner_error(RuntimeError(BAD_CALL), 1, segment).message
    assert "COALESCE(STRING, DOUBLE)" in message
    assert "COALESCE(<COMMON>, <COMMON>...)" in message
