"""Arguments that sqlglot's reader drops without a word.

sqlglot builds a known function's node with a builder that takes the arguments it knows and
ignores the rest: Spark's ``date_format(ts, fmt, x)`` keeps ``ts`` and ``fmt``,
``instr(a, b, c, d, e)`` keeps three.  The translation then computes something else than
the source asked for, silently.  The reader here compares, for every function call it builds,
the arguments written in the source with what the built node still holds, and records the
calls that lost some; the pipeline reports each as an SL9005 error.

An argument is kept when the node (or a node under it) is that argument, or equal to it.
Builders rewrite some literal arguments (a Spark date format becomes a strftime one, a JSON
path string a parsed path) or name them again (a unit written as a column becomes a
keyword): a missing literal counts as kept when the node holds as many new literals / keywords
/ paths as there are missing literals, and a missing bare name when a new keyword spells it.
A builder may also fold a call into its own node (BigQuery ``to_hex(md5(x))`` is ``MD5(x)``):
a missing call whose arguments the node holds counts as kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlglot import exp
from sqlglot.parser import Parser
from sqlglot.tokens import Token, TokenType

from shiftleft.models import Diagnostic, Severity

#: the code of the diagnostic (documented in shiftleft.codes)
DROPPED_ARGS_ID = "SL9005"

_FRESH = (exp.Literal, exp.Var, exp.Identifier, exp.Boolean, exp.DataType, exp.JSONPath, exp.IgnoreNulls, exp.RespectNulls)


@dataclass(frozen=True)
class DroppedArguments:
    """A function call whose node lost arguments written in the source."""

    function: str
    written: int
    dropped: tuple[str, ...]  # the lost arguments, as source-dialect SQL
    line: int
    column: int


def dropped_arguments(node: exp.Expr, args: list[Any]) -> list[exp.Expr]:
    """The arguments of ``args`` (as the reader parsed them) that ``node`` does not keep."""
    written = [a for a in args if isinstance(a, exp.Expr)]
    direct = {id(v) for v in node.args.values()}
    direct.update(id(item) for v in node.args.values() if type(v) is list for item in v)
    if all(id(a) in direct for a in written):
        return []  # the common case: every argument is one of the node's own (no walk of the call)
    inside = list(node.walk())
    ids = {id(n) for n in inside}
    missing = [a for a in written if id(a) not in ids and not any(a == n for n in inside)]
    if not missing:
        return []
    from_args = {id(n) for a in written for n in a.walk()}
    fresh = [n for n in inside if isinstance(n, _FRESH) and id(n) not in from_args]
    fresh_names = {str(n.name).lower() for n in fresh}
    literals = [a for a in missing if isinstance(a, (exp.Literal, exp.Boolean))]
    excused = {id(a) for a in literals[: len(fresh)]}
    excused |= {id(a) for a in missing if isinstance(a, exp.Column) and a.name.lower() in fresh_names}
    excused |= {id(a) for a in missing if _folded(a, ids)}
    return [a for a in missing if id(a) not in excused]


def _folded(argument: exp.Expr, kept: set[int]) -> bool:
    """A call the builder folded into the node: its own arguments are the node's (BigQuery's
    ``to_hex(md5(x))`` is read as one ``MD5(x)``, the hex text of the digest)."""
    inner = [v for v in argument.iter_expressions()]
    return isinstance(argument, exp.Func) and bool(inner) and all(id(v) in kept for v in inner)


def _kept_count(node: exp.Expr) -> int:
    """Arguments a node holds: its expression-valued args, list items counted one by one."""
    count = 0
    for value in node.args.values():
        items = value if isinstance(value, list) else [value]
        count += sum(isinstance(v, exp.Expr) for v in items)
    return count


def _written_count(tokens: list[Token], open_index: int, end: int) -> int:
    """Comma-separated arguments between the parenthesis at ``open_index`` and its match."""
    depth, count = 0, 0
    for i in range(open_index, min(end, len(tokens))):
        kind = tokens[i].token_type
        if kind in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
            if depth == 1 and i + 1 < len(tokens) and tokens[i + 1].token_type is not TokenType.R_PAREN:
                count = 1
        elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if depth == 0:
                return count
        elif kind is TokenType.COMMA and depth == 1:
            count += 1
    return count


def _written_call(tokens: list[Token], index: int) -> Token | None:
    """The name token of the call whose closing parenthesis is at (or just before) ``index``:
    the token before the matching opening parenthesis."""
    depth = 0
    for i in range(min(index, len(tokens) - 1), -1, -1):
        kind = tokens[i].token_type
        if kind == TokenType.R_PAREN:
            depth += 1
        elif kind == TokenType.L_PAREN:
            depth -= 1
            if depth <= 0:
                return tokens[i - 1] if i > 0 else None
    return None


@cache
def watching_parser(parser_class: type[Parser]) -> type[Parser]:
    """A subclass of ``parser_class`` that records, in its ``dropped`` list, every function
    call whose built node lost arguments written in the source (reset by each ``parse``)."""

    def validate_expression(self: Any, expression: Any, args: list | None = None) -> Any:
        expression = parser_class.validate_expression(self, expression, args)
        if args and isinstance(expression, exp.Expr):
            lost = dropped_arguments(expression, args)
            if lost:
                at = self._index if self._curr and self._curr.token_type == TokenType.R_PAREN else self._index - 1
                name = _written_call(self._tokens, at)
                self.dropped.append(
                    DroppedArguments(
                        function=name.text if name else type(expression).key.upper(),
                        written=len(args),
                        dropped=tuple(a.sql(dialect=self.dialect) for a in lost),
                        line=name.line if name else 0,
                        column=name.col if name else 0,
                    )
                )
        return expression

    def _parse_function_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = self._index
        result = parser_class._parse_function_call(self, *args, **kwargs)
        tokens = self._tokens
        node = result.this if isinstance(result, exp.Window) else result
        if (
            isinstance(node, exp.Func)
            and not isinstance(node, exp.Anonymous)
            and start + 1 < len(tokens)
            and tokens[start + 1].token_type is TokenType.L_PAREN
            and tokens[start].text.upper() in self.FUNCTION_PARSERS
        ):  # a function with its own parser: compare the count written with the count kept
            written = _written_count(tokens, start + 1, self._index)
            if _kept_count(node) < written:
                name = tokens[start]
                self.dropped.append(
                    DroppedArguments(
                        function=name.text,
                        written=written,
                        dropped=(f"{written - _kept_count(node)} of them",),
                        line=name.line,
                        column=name.col,
                    )
                )
        return result

    def reset(self: Any) -> None:
        parser_class.reset(self)
        self.dropped = []

    return type(
        f"Watching{parser_class.__name__}",
        (parser_class,),
        {
            "validate_expression": validate_expression,
            "_parse_function_call": _parse_function_call,
            "reset": reset,
        },
    )


def dropped_diagnostic(call: DroppedArguments, statement: int, read: str) -> Diagnostic:
    """The SL9005 error for one call that lost arguments while being read."""
    lost = ", ".join(call.dropped)
    return Diagnostic.of(
        DROPPED_ARGS_ID,
        f"{call.function}() was called with {call.written} arguments; the {read} reader "
        f"keeps fewer and drops {lost}, so the translation would compute something else",
        severity=Severity.ERROR,
        statement=statement,
        line=call.line or None,
        column=call.column or None,
        suggestion=f"check the call against {read}'s signature of {call.function} (it may not take "
        "that many arguments); remove the extra arguments or rewrite the expression by hand",
        snippet=call.function,
    )
