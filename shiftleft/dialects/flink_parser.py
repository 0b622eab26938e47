"""Parser for the Apache Flink 2.3 SQL dialect.

Flink's SQL parser is Calcite plus Flink DDL/DML extensions:
https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/sql/overview/

Only the syntax sqlglot's base parser does not already understand is added here; the few
Flink-only syntax nodes (metadata columns, statement sets, ``EXECUTE``, ``MATCH_RECOGNIZE ...
WITHIN``, ``CREATE ... FUNCTION ... LANGUAGE``) are small ``Expression`` subclasses defined below.
"""

from __future__ import annotations

import typing as t

from sqlglot import exp
from sqlglot.dialects.dialect import build_date_delta, build_formatted_time
from sqlglot.helper import seq_get
from sqlglot.parser import Parser
from sqlglot.parsers.base import BaseParser
from sqlglot.tokens import Token, TokenType

if t.TYPE_CHECKING:
    from sqlglot.dialects.dialect import Dialect

# --- Flink-only syntax nodes -----------------------------------------------------------------


class MetadataColumnConstraint(exp.Expression, exp.ColumnConstraintKind):
    """``col TYPE METADATA [FROM 'key'] [VIRTUAL]``.

    https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/sql/create/#columns
    """

    arg_types = {"this": False, "virtual": False}


class StatementSet(exp.Expression):
    """``EXECUTE STATEMENT SET BEGIN <insert>; ... END``: one job made of several INSERTs.

    https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/sql/insert/#insert-statement
    """

    arg_types = {"expressions": True}


class Execute(exp.Expression):
    """``EXECUTE <INSERT or SELECT>``."""

    arg_types = {"this": True}


class FlinkMatchRecognize(exp.MatchRecognize):
    """``MATCH_RECOGNIZE`` with Flink's ``WITHIN <interval>`` time constraint.

    https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/sql/queries/match_recognize/
    """

    arg_types = {**exp.MatchRecognize.arg_types, "within": False}


class TableArgument(exp.Expression):
    """``TABLE t [PARTITION BY k, ...]``: a table argument of a table-valued function."""

    arg_types = {"this": True, "partition_by": False}


class DescriptorArgument(exp.Expression):
    """``DESCRIPTOR(col, ...)``: column reference list argument of window TVFs."""

    arg_types = {"expressions": True}


class JsonQuery(exp.Expression):
    """``JSON_QUERY(json, path RETURNING type)``: Flink's JSON_QUERY with a result type (an
    ``ARRAY<STRING>`` of the matched array's elements); without RETURNING it stays a plain
    call."""

    arg_types = {"this": True, "expression": True, "returning": True}


class Distribution(exp.Property):
    """``DISTRIBUTED BY [HASH | RANGE](k, ...) [INTO n BUCKETS]`` / ``DISTRIBUTED INTO n BUCKETS``.

    https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/sql/create/#distributed
    """

    arg_types = {"kind": False, "expressions": False, "buckets": False}


class SystemFunctionProperty(exp.Property):
    """The ``SYSTEM`` in ``CREATE TEMPORARY SYSTEM FUNCTION``."""

    arg_types = {}  # no arguments (sqlglot declares arg_types a ClassVar)


# --- builders ----------------------------------------------------------------------------------

# Typed literals (DATE '2024-01-01') become casts marked with this meta key, so they regenerate
# as typed literals.
TYPED_LITERAL = "flink_typed_literal"


def _typed_literal(parser: BaseParser, this: exp.Expr, to: exp.DataType) -> exp.Cast:
    cast = parser.expression(exp.Cast(this=this, to=to))
    cast.meta[TYPED_LITERAL] = True
    return cast


#: meta key of a CONCAT_WS read from Flink SQL: Flink's own, which reads a NULL argument as ''
#: (neither meaning sqlglot gives ConcatWs: skip NULLs, or NULL when one is)
FLINK_CONCAT_WS = "flink_concat_ws"


def _build_concat_ws(args: list[exp.Expr]) -> exp.Expr:
    node = exp.ConcatWs(expressions=args)
    node.meta[FLINK_CONCAT_WS] = True
    return node


def _keep(name: str) -> t.Callable[[list[exp.Expr]], exp.Expr]:
    """Keep a Flink function whose sqlglot node would regenerate under another name."""

    def _build(args: list[exp.Expr]) -> exp.Expr:
        return exp.Anonymous(this=name, expressions=args)

    return _build


def _build_timestampadd(args: list[exp.Expr]) -> exp.TimestampAdd:
    # TIMESTAMPADD(unit, interval, timepoint)
    return exp.TimestampAdd(
        this=seq_get(args, 2), expression=seq_get(args, 1), unit=_unit(seq_get(args, 0))
    )


def _build_timestampdiff(args: list[exp.Expr]) -> exp.Expr:
    # TIMESTAMPDIFF(unit, timepoint1, timepoint2) = timepoint2 - timepoint1
    return build_date_delta(exp.TimestampDiff)([_unit(seq_get(args, 0)), *args[1:]])


def _unit(unit: exp.Expr | None) -> exp.Expr | None:
    return exp.var(unit.name.upper()) if isinstance(unit, (exp.Column, exp.Var)) else unit


def _build_with_format(
    node: type[exp.Func], name: str
) -> t.Callable[[list[exp.Expr], Dialect], exp.Expr]:
    """TO_TIMESTAMP(s, fmt) and friends: a time node when a format is given, else kept as is."""

    def _build(args: list[exp.Expr], dialect: Dialect) -> exp.Expr:
        if len(args) == 2:
            return build_formatted_time(node)(args, dialect)
        return exp.Anonymous(this=name, expressions=args)

    return _build


def _build_coalesce_ifnull(args: list[exp.Expr]) -> exp.Coalesce:
    return exp.Coalesce(this=seq_get(args, 0), expressions=args[1:], is_null=True)


# Statement-set openers: EXECUTE STATEMENT SET BEGIN / BEGIN STATEMENT SET.
_SET_OPENERS = (("EXECUTE", "STATEMENT", "SET", "BEGIN"), ("BEGIN", "STATEMENT", "SET"))


def _starts_statement_set(tokens: list[Token]) -> bool:
    words = tuple(tok.text.upper() for tok in tokens[:4])
    return any(words[: len(opener)] == opener for opener in _SET_OPENERS)


class FlinkParser(BaseParser):
    LOG_DEFAULTS_TO_LN = True
    STRICT_CAST = True
    SUPPORTS_IMPLICIT_UNNEST = False

    # INSERT INTO upsert_table SELECT ... ON CONFLICT DO DEDUPLICATE | ERROR | NOTHING (Flink 2.3)
    # https://nightlies.apache.org/flink/flink-docs-release-2.3/docs/dev/table/sql/insert/
    CONFLICT_ACTIONS = {
        **BaseParser.CONFLICT_ACTIONS,
        "DO": ("NOTHING", "UPDATE", "DEDUPLICATE", "ERROR"),
    }

    FUNCTIONS = {
        **BaseParser.FUNCTIONS,
        "DATE_FORMAT": build_formatted_time(exp.TimeToStr),
        "FROM_UNIXTIME": build_formatted_time(exp.UnixToStr),
        # FIRST / LAST are MATCH_RECOGNIZE navigation functions in Flink, not aggregates.
        "FIRST": _keep("FIRST"),
        "CONCAT_WS": _build_concat_ws,
        "IFNULL": _build_coalesce_ifnull,
        "LAST": _keep("LAST"),
        "INSTR": _keep("INSTR"),
        "LOCATE": _keep("LOCATE"),
        "LOG10": _keep("LOG10"),
        "LOG2": _keep("LOG2"),
        "MOD": lambda args: exp.Mod(this=seq_get(args, 0), expression=seq_get(args, 1)),
        "ROW": exp.Struct.from_arg_list,
        "SUBSTR": _keep("SUBSTR"),
        "TIMESTAMPADD": _build_timestampadd,
        "TIMESTAMPDIFF": _build_timestampdiff,
        "TO_DATE": _build_with_format(exp.StrToDate, "TO_DATE"),
        "TO_TIMESTAMP": _build_with_format(exp.StrToTime, "TO_TIMESTAMP"),
        "UNIX_TIMESTAMP": _build_with_format(exp.StrToUnix, "UNIX_TIMESTAMP"),
    }

    TYPE_LITERAL_PARSERS = {
        **BaseParser.TYPE_LITERAL_PARSERS,
        exp.DType.DATE: _typed_literal,
        exp.DType.TIME: _typed_literal,
        exp.DType.TIMESTAMP: _typed_literal,
        exp.DType.TIMESTAMPLTZ: _typed_literal,
    }

    FUNCTION_PARSERS = {
        **BaseParser.FUNCTION_PARSERS,
        "JSON_QUERY": lambda self: self._parse_json_query(),
        "JSON_VALUE": lambda self: self._parse_flink_json_value(),
        "DESCRIPTOR": lambda self: self.expression(
            DescriptorArgument(expressions=self._parse_csv(self._parse_column))
        ),
    }

    FUNC_TOKENS = {*BaseParser.FUNC_TOKENS, TokenType.SESSION}

    LAMBDAS = {
        **BaseParser.LAMBDAS,
        # Named arguments: TUMBLE(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SIZE => ...)
        TokenType.FARROW: lambda self, expressions: self.expression(
            exp.Kwarg(
                this=exp.var(expressions[0].name),
                expression=self._parse_table_argument()
                or self._parse_disjunction()
                or self._parse_select(),
            )
        ),
    }

    NO_PAREN_FUNCTIONS = {
        **BaseParser.NO_PAREN_FUNCTIONS,
        TokenType.CURRENT_TIME: exp.CurrentTime,
    }

    PROPERTY_PARSERS = {
        **BaseParser.PROPERTY_PARSERS,
        "DISTRIBUTED": lambda self: self._parse_distributed_by(),
        "LIKE": lambda self: self._parse_flink_like(),
        "SYSTEM": lambda self: self.expression(SystemFunctionProperty()),
    }

    CONSTRAINT_PARSERS = {
        **BaseParser.CONSTRAINT_PARSERS,
        "METADATA": lambda self: self.expression(
            MetadataColumnConstraint(
                this=self._match(TokenType.FROM) and self._parse_string(),
                virtual=self._match_text_seq("VIRTUAL"),
            )
        ),
        "WATERMARK": lambda self: self.expression(
            exp.WatermarkColumnConstraint(
                this=self._match(TokenType.FOR) and self._parse_column(),
                expression=self._match(TokenType.ALIAS) and self._parse_disjunction(),
            )
        ),
    }

    SCHEMA_UNNAMED_CONSTRAINTS = {*BaseParser.SCHEMA_UNNAMED_CONSTRAINTS, "WATERMARK"}

    STATEMENT_PARSERS = {
        **BaseParser.STATEMENT_PARSERS,
        TokenType.BEGIN: lambda self: self._parse_begin(),
        TokenType.EXECUTE: lambda self: self._parse_execute(),
    }

    # -- statement sets span semicolons: keep them in one chunk ---------------------------------

    def _parse_json_query(self) -> exp.Expr:
        args = self._parse_csv(self._parse_assignment)
        if len(args) == 2 and self._match_text_seq("RETURNING"):
            return self.expression(JsonQuery(this=args[0], expression=args[1], returning=self._parse_types()))
        return self.expression(exp.Anonymous(this="JSON_QUERY", expressions=args))

    def _parse_flink_json_value(self) -> exp.Expr:
        """``JSON_VALUE(json, path RETURNING type)`` (what the JSON rules write) as sqlglot's
        JSONValue; without RETURNING a plain call, as before."""
        args = self._parse_csv(self._parse_assignment)
        if len(args) == 2 and self._match_text_seq("RETURNING"):
            return self.expression(exp.JSONValue(this=args[0], path=args[1], returning=self._parse_types()))
        return self.expression(exp.Anonymous(this="JSON_VALUE", expressions=args))

    def _parse(
        self,
        parse_method: t.Callable[[Parser], exp.Expr | None],
        raw_tokens: list[Token],
        sql: str | None = None,
    ) -> list[exp.Expr | None]:
        if not any(tok.token_type == TokenType.BEGIN for tok in raw_tokens):
            return super()._parse(parse_method, raw_tokens, sql)

        # Same chunking as the base parser, except that the semicolons inside a statement set
        # belong to it.
        self.reset()
        self.sql = sql or ""
        chunks: list[list[Token]] = [[]]
        in_set = False
        for i, token in enumerate(raw_tokens):
            if not chunks[-1] and _starts_statement_set(raw_tokens[i:]):
                in_set = True
            if in_set and token.token_type == TokenType.END:
                in_set = False
            if token.token_type == TokenType.SEMICOLON and not in_set:
                if token.comments:
                    chunks.append([token])
                if i < len(raw_tokens) - 1:
                    chunks.append([])
            else:
                chunks[-1].append(token)
        self._chunks = [chunk for chunk in chunks if chunk]
        return self._parse_batch_statements(parse_method=parse_method, sep_first_statement=False)

    def _parse_statement_set_body(self) -> StatementSet:
        statements: list[exp.Expr] = []
        while self._curr and not self._match(TokenType.END):
            if self._match(TokenType.SEMICOLON):
                continue
            statement = self._parse_statement()
            if statement:
                statements.append(statement)
        self._match(TokenType.SEMICOLON)
        return self.expression(StatementSet(expressions=statements))

    def _parse_begin(self) -> exp.Expr | None:
        if self._match_text_seq("STATEMENT", "SET"):
            self._match(TokenType.SEMICOLON)
            return self._parse_statement_set_body()
        return self._parse_transaction()

    def _parse_execute(self) -> exp.Expr | None:
        if self._match_text_seq("STATEMENT", "SET", "BEGIN"):
            return self._parse_statement_set_body()
        return self.expression(Execute(this=self._parse_statement()))

    # -- DDL --------------------------------------------------------------------------------------

    def _parse_property(self) -> exp.Expr | list[exp.Expr] | None:
        # WITH ('key' = 'value', ...): keep the quoted option keys as strings.
        if (
            self._curr
            and self._next
            and self._curr.token_type == TokenType.STRING
            and self._next.token_type == TokenType.EQ
        ):
            key = self._parse_string()
            self._match(TokenType.EQ)
            return self.expression(exp.Property(this=key, value=self._parse_primary()))
        return super()._parse_property()

    def _parse_distributed_by(self) -> Distribution:
        kind = None
        expressions = None
        if self._match_text_seq("BY"):
            if self._match_texts(("HASH", "RANGE")):
                kind = exp.var(self._prev.text.upper())
            expressions = self._parse_wrapped_csv(self._parse_column)
        buckets = None
        if self._match(TokenType.INTO):
            buckets = self._parse_number()
            self._match_text_seq("BUCKETS")
        return self.expression(Distribution(expressions=expressions, kind=kind, buckets=buckets))

    def _parse_flink_like(self) -> exp.LikeProperty:
        # LIKE src [(INCLUDING | EXCLUDING | OVERWRITING  ALL | OPTIONS | ..., ...)]
        table = self._parse_table_parts(schema=True)
        options: list[exp.Expr] = []
        if self._match(TokenType.L_PAREN):
            while self._match_texts(("INCLUDING", "EXCLUDING", "OVERWRITING")):
                strategy = self._prev.text.upper()
                self._advance()
                options.append(
                    exp.Property(this=exp.var(strategy), value=exp.var(self._prev.text.upper()))
                )
            self._match_r_paren()
        return self.expression(exp.LikeProperty(this=table, expressions=options))

    # -- queries ----------------------------------------------------------------------------------

    def _parse_table_argument(self) -> TableArgument | None:
        # Table arguments of table functions: TABLE t [PARTITION BY k, ...]
        if not self._match(TokenType.TABLE):
            return None
        table = self._parse_table_parts()
        partition = self._parse_partition_by() or None
        return self.expression(TableArgument(this=table, partition_by=partition))

    def _parse_lambda(self, alias: bool = False) -> exp.Expr | None:
        return self._parse_table_argument() or super()._parse_lambda(alias=alias)

    def _parse_match_recognize(self) -> exp.MatchRecognize | None:
        # The base parser's MATCH_RECOGNIZE plus Flink's WITHIN <interval> after PATTERN (...).
        if not self._match(TokenType.MATCH_RECOGNIZE):
            return None
        self._match_l_paren()
        partition = self._parse_partition_by()
        order = self._parse_order()
        measures = (
            self._parse_csv(self._parse_match_recognize_measure)
            if self._match_text_seq("MEASURES")
            else None
        )
        rows = None
        for phrase in (("ONE", "ROW", "PER", "MATCH"), ("ALL", "ROWS", "PER", "MATCH")):
            if self._match_text_seq(*phrase):
                rows = exp.var(" ".join(phrase))
        after = None
        if self._match_text_seq("AFTER", "MATCH", "SKIP"):
            words = ["AFTER", "MATCH", "SKIP"]
            while self._curr and self._curr.text.upper() != "PATTERN":
                # SKIP TO FIRST | LAST <pattern variable>: keep the variable's spelling
                to_variable = words[-2:] in (["TO", "FIRST"], ["TO", "LAST"])
                words.append(self._curr.text if to_variable else self._curr.text.upper())
                self._advance()
            after = exp.var(" ".join(words))
        pattern = None
        if self._match_text_seq("PATTERN"):
            self._match_l_paren()
            start, depth = self._curr, 1
            end = start
            while self._curr:
                depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(self._curr.token_type, 0)
                if depth == 0:
                    break
                end = self._curr
                self._advance()
            self._match_r_paren()
            pattern = exp.var(self._find_sql(start, end)) if start else None
        within = self._parse_interval() if self._match_text_seq("WITHIN") else None
        define = (
            self._parse_csv(self._parse_name_as_expression)
            if self._match_text_seq("DEFINE")
            else None
        )
        self._match_r_paren()
        return self.expression(
            FlinkMatchRecognize(
                partition_by=partition,
                order=order,
                measures=measures,
                rows=rows,
                after=after,
                pattern=pattern,
                within=within,
                define=define,
                alias=self._parse_table_alias(),
            )
        )

    def _parse_table_alias(
        self, alias_tokens: t.Collection[TokenType] | None = None
    ) -> exp.TableAlias | None:
        # Table hints come right after the table name: t /*+ OPTIONS(...) */ AS x
        if self._curr and self._curr.token_type == TokenType.HINT:
            self._pending_table_hint = self._parse_table_hint()
        return super()._parse_table_alias(alias_tokens=alias_tokens)

    def _parse_table_hint(self) -> exp.Hint | None:
        # /*+ OPTIONS('k' = 'v') */ after a table name; the hint text must not also be kept as a
        # comment on a neighbouring node.
        if not self._match(TokenType.HINT) or not self._prev.comments:
            return None
        hint = exp.maybe_parse(self._prev.comments[0], into=exp.Hint, dialect=self.dialect)
        self._prev.comments.clear()
        return hint

    def _parse_table_hints(self) -> list[exp.Expr] | None:
        hint = getattr(self, "_pending_table_hint", None) or self._parse_table_hint()
        self._pending_table_hint = None
        return [hint] if hint else None

    def _parse_table(self, *args: t.Any, **kwargs: t.Any) -> exp.Expr | None:
        self._pending_table_hint = None
        table = super()._parse_table(*args, **kwargs)
        # The base parser's fast path returns aliased tables before looking for hints.
        if isinstance(table, exp.Table) and not table.args.get("hints"):
            table.set("hints", self._parse_table_hints())
        return table
