"""The rewrite stage: rules that turn a Spark-semantics AST into a Flink-semantics AST.

Public API for rule authors: :class:`Rule`, :class:`RuleContext`, :class:`Example`.
"""

from shiftleft.rewrite.context import RuleContext
from shiftleft.rewrite.rule import Example, Rule

__all__ = ["Rule", "RuleContext", "Example"]
