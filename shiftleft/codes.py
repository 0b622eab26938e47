"""Documentation of every code shiftleft emits that is not a rewrite rule's id.

Rules document themselves (``shiftleft rules SL1010``).  Errors (``SL00xx``, raised as
:class:`~shiftleft.errors.ShiftleftError`), and diagnostics raised by the pipeline, the
streaming layer, the migration and the LLM stage rather than by a rule, are explained here;
``shiftleft rules CODE`` shows either.  A test checks that every code literal in the package
is documented by a rule or an entry below.
"""

from __future__ import annotations

from typing import NamedTuple


class CodeDoc(NamedTuple):
    title: str
    explanation: str
    remedy: str
    #: the severity of every finding of this code ("error", "warning", "info"), when they all
    #: weigh the same: :meth:`shiftleft.models.Diagnostic.of` uses it when given none
    severity: str | None = None


CODES: dict[str, CodeDoc] = {
    # errors: exceptions, exit code 2 (3 for SL0099)
    "SL0000": CodeDoc("shiftleft error", "The base of every error shiftleft raises.", "Read the message."),
    "SL0001": CodeDoc(
        "SQL that cannot be parsed",
        "The statement is not valid SQL of the input dialect; the message names the line, the column "
        "and the token where the reader stopped.  In a script, the other statements are still translated "
        "and the bad one is kept in the output only as a comment.",
        "Fix the syntax there, or pass the right dialect with --read.",
    ),
    "SL0002": CodeDoc(
        "text that cannot be tokenized",
        "A string, quoted name or comment never ends, or the text holds control characters (binary "
        "content, a wrong encoding).",
        "Close the string or comment; check the file's encoding.",
    ),
    "SL0003": CodeDoc(
        "input over a limit",
        "The statement is nested deeper than shiftleft reads (256 levels of parentheses / CASE), or "
        "another size limit was reached.  Deep nesting makes sqlglot's recursive passes slow.",
        "Split the expression into CTEs or views.",
    ),
    "SL0004": CodeDoc(
        "not a SQL statement",
        "The reader could only read the text as a bare expression (`hello world` reads as `hello AS "
        "world`) or as an empty `SELECT`: it is not a statement, so it is not translated.",
        "Check for a missing SELECT, a stray word or a truncated statement.",
    ),
    "SL0010": CodeDoc(
        "bad argument or option",
        "An unknown dialect, target, mode, rule id, or an option value of the wrong shape.",
        "See the command's --help.",
    ),
    "SL0011": CodeDoc(
        "bad rule pack",
        "A rule pack could not be loaded: a syntax error in a .rules file, a duplicate id, missing metadata.",
        "Fix the rule file named in the message.",
    ),
    "SL0012": CodeDoc(
        "unsafe or busy output folder",
        "--out is an input folder, lies inside an input folder, is an existing file, or another "
        "shiftleft run holds its lock.  shiftleft never writes over its inputs.",
        "Choose another --out folder, or wait for the other run to finish.",
    ),
    "SL0013": CodeDoc("usage error", "A command-line argument is missing, malformed or contradictory.", "See --help."),
    "SL0020": CodeDoc(
        "environment cannot do this",
        "The runtime lacks something the request needs: Java or PyFlink for the planner, a "
        "compatible sqlglot.",
        "Install what the message names (`make install`).",
    ),
    "SL0099": CodeDoc(
        "internal error",
        "An unexpected failure inside shiftleft: a bug.  The CLI prints no traceback unless --debug.",
        "Report it with the input and the --debug traceback.",
    ),
    # pipeline
    "SL9000": CodeDoc(
        "a rule failed",
        "A rewrite rule raised an exception on a construct; the construct was left untranslated "
        "and the rest of the statement was still translated.",
        "Report it as a shiftleft bug, with the statement; disable the rule with --disable meanwhile.",
        severity="error",
    ),
    "SL9002": CodeDoc(
        "not expressible in Flink SQL",
        "The Flink generator could not print a construct (or failed on the statement, which is then "
        "kept unchanged).",
        "Rewrite the construct by hand; report generator failures as bugs.",
        severity="error",
    ),
    "SL9005": CodeDoc(
        "arguments dropped by the reader",
        "sqlglot builds a known function's node from the arguments it knows and ignores the rest: "
        "Spark's `date_format(ts, fmt, x)` keeps `ts` and `fmt`.  The reader compares every call's "
        "arguments as written with what the parsed node keeps; a call that lost some would translate "
        "to something else than the source computes.  The source usually does not run either (Spark "
        "rejects the extra arguments).",
        "Remove the extra arguments, or rewrite the expression by hand.",
    ),
    # streaming layer
    "SL4101": CodeDoc(
        "sink table written",
        "A sink table (CREATE TABLE) was generated for the query, with the connector and primary key "
        "its changelog needs: append, upsert (keyed) or retract.",
        "Nothing to do; check the connector options before deploying.",
    ),
    "SL4102": CodeDoc(
        "sink column type unknown",
        "The type of an output column could not be determined; the sink declares it STRING.  A "
        "warning when the column reads inputs of unknown type (no schema: the source DDL decides); "
        "an error when all its inputs are typed and shiftleft's typing cannot follow the "
        "expression, since the planner then likely refuses the STRING column.",
        "Declare the source column types with --schema (schema=).",
    ),
    "SL4103": CodeDoc(
        "MERGE INTO without a streaming form",
        "Only the upsert pattern of MERGE (ON equal keys, update all / insert all) maps to an upsert sink.",
        "Write the source query into an upsert table keyed on the MERGE key.",
    ),
    "SL4104": CodeDoc(
        "existing sink table",
        "The script inserts into a table it does not create; shiftleft cannot check its connector and key.",
        "Make sure the table's changelog mode fits the query.",
    ),
    "SL4105": CodeDoc(
        "source columns inferred",
        "A source table's columns were inferred from how the query uses them, not declared.",
        "Declare the table's columns with --schema.",
        severity="warning",
    ),
    "SL4113": CodeDoc(
        "source column of no table",
        "sources=True declares each source table with the columns the script reads from it; an "
        "unqualified column of a query over several such tables cannot be given to one of them, "
        "so no CREATE TABLE declares it and the planner would not find it.",
        "Qualify the column with its table (t.col), or declare the tables with --schema (schema=).",
        severity="error",
    ),
    "SL3045": CodeDoc(
        "source column whose uses need different types",
        "A source table shiftleft declares itself (sources=True, no schema) has a column the script "
        "uses as two kinds of value Flink does not convert between (a number: nvl(c, 0), c + 1, "
        "sum(c), c = 5; a string: upper(c), c LIKE ..., c = 'x'; a timestamp, a date, a boolean): "
        "whatever the column is declared, the planner rejects one of the uses.",
        "Declare the table's columns with --schema and cast the column where it is used as another type.",
        severity="error",
    ),
    "SL4106": CodeDoc(
        "source tables",
        "Findings about the source tables generated for the script (sources=True).",
        "Read the message.",
        severity="info",
    ),
    "SL4107": CodeDoc(
        "unbounded state",
        "The query keeps state that grows without bound: a non-windowed aggregation, a Top-N / "
        "deduplication, or a semi / anti join (EXISTS, IN, NOT EXISTS) over a stream.  Without a "
        "state TTL the job's state grows with every new key.",
        "Set a state TTL (`--state-ttl`, a STATE_TTL hint or table.exec.state.ttl), or aggregate "
        "over a window TVF (TUMBLE / HOP / CUMULATE) instead.",
    ),
    "SL4108": CodeDoc(
        "event time inferred",
        "No event time was declared for a source table, but the script makes it unambiguous: the only "
        "column bucketed by window() / session_window(), or the only timestamp-typed column bucketed by "
        "date_trunc or ordering a ROW_NUMBER / OVER window.  The source DDL shiftleft writes declares a "
        "WATERMARK on it (only with sources=True, where shiftleft writes that DDL).",
        "Confirm it, or name the right column: event_time={'t': 'ts'} / --event-time t.ts.",
        severity="info",
    ),
    "SL4109": CodeDoc(
        "a window needs a time attribute",
        "A time bucket (window(ts, ...), session_window, a date_trunc / FLOOR GROUP BY) is on a column "
        "that is not a time attribute of its input: no event time is declared for the table, or a view, "
        "CTE, aggregation or regular join in between turned it into a plain timestamp.  window() / "
        "session_window() then have no Flink form (error); a date_trunc bucket stays a regular, updating "
        "GROUP BY with unbounded state (info, a warning when some event time is declared).",
        "Declare the event time (event_time= / --event-time t.ts, a dbt column meta: {event_time: true}, "
        "config(event_time=...)), and window the table that carries it.",
    ),
    "SL4110": CodeDoc(
        "a time bucket over an updating input",
        "Flink 2.3 plans a window aggregation over an updating input (an upsert table, a keep-last "
        "dedup, an outer join...) and emits each window once, when the watermark passes its end: updates "
        "and retractions arriving later are dropped, so the result differs from the batch (dbt / Spark) "
        "result.  A date_trunc bucket therefore stays a regular GROUP BY (exact, updating); a Spark "
        "window() / session_window(), which has no other Flink form, becomes a window TVF with this warning.",
        "Window the insert-only source (before the dedup / upsert), or keep the regular aggregation with a "
        "state TTL.",
    ),
    "SL4111": CodeDoc(
        "the planner's changelog differs from the derived one",
        "With the planner (migrate --plan, verify), each table's query is explained with EXPLAIN "
        "CHANGELOG_MODE and its sink planned; when the planner's verdict (insert-only / updating, the "
        "sink's upsert key accepted or not) differs from shiftleft's static derivation, the diagnostic "
        "names both, and the planner's verdict is the one the sink must follow.  An error when the "
        "derivation said insert-only and the planner updates (the append sink would lose updates), or "
        "when the planner refuses the derived key; info when the derivation was only conservative.",
        "Follow the planner's verdict for the sink (the message says which), and report the query: the "
        "derivation should agree with Flink (tests/derive/regressions.sql).",
    ),
    # dbt migration
    "SL5001": CodeDoc(
        "model cannot be rendered",
        "The model's Jinja could not be rendered (unknown macro, error in a template); the model "
        "fails alone and the rest of the project migrates.",
        "Fix the template, or provide the missing package in dbt_packages/.",
    ),
    "SL5002": CodeDoc(
        "rendered SQL cannot be read",
        "The model rendered to text that is not readable SQL of the project's dialect.",
        "Check the rendered SQL named in the message.",
        severity="error",
    ),
    "SL5003": CodeDoc(
        "declared key differs",
        "The model's declared unique key differs from the key its query updates by.",
        "Check the unique_key / primary key of the model.",
    ),
    "SL5004": CodeDoc(
        "event time chosen",
        "The event-time (watermark) column chosen for a table, and why.",
        "Set loaded_at_field or an event_time config to choose another.",
    ),
    "SL5005": CodeDoc(
        "snapshot as a versioned table",
        "A dbt snapshot became a versioned table (SCD2 columns, primary key, watermark).",
        "Join it FOR SYSTEM_TIME AS OF.",
    ),
    "SL5006": CodeDoc("column type unknown", "A column's type is not known to the migration.", "Declare data_type in the schema yml."),
    "SL5007": CodeDoc(
        "seed loading",
        "How a seed is loaded into Flink (a bounded INSERT ... VALUES job).  An error: the CSV "
        "cannot be read, or some cells are no value of their column's type (declared in "
        "column_types or inferred).  Flink's CAST of such a cell fails the job when it runs "
        "(the planner accepts it), so the cells are checked when the seed is translated.  ISO "
        "forms Flink's cast does not read (2016-09-01T00:00:00, 2016-09-01 08:30, Yes, inf) are "
        "written in the form it reads, with the same value.",
        "Fix the cells the message names, or declare the column as text (column_types: {col: "
        "varchar}) and convert it in a model.",
    ),
    "SL5008": CodeDoc(
        "materialization without a streaming form",
        "The model's materialization has no streaming equivalent.",
        "Change the materialization, or translate it by hand.",
        severity="warning",
    ),
    "SL5009": CodeDoc(
        "project-level finding",
        "A finding about the project as a whole: name clashes, cycles, files kept because they were edited.",
        "Read the message.",
    ),
    "SL5010": CodeDoc(
        "rejected by the Flink planner",
        "The embedded Flink 2.3 planner rejects the table's DDL or DML (migrate --plan).",
        "Read the planner's message; fix the model or report a translation bug.",
    ),
    "SL5011": CodeDoc(
        "blocked by a parent",
        "The table has no error of its own, but it reads a table that is reported (named in the "
        "message): it cannot run, or be planned, until that parent is fixed.  The parent's errors are "
        "not repeated.",
        "Fix the named parent first.",
        severity="warning",
    ),
    "SL5012": CodeDoc(
        "columns that cannot be known",
        "A table's column list cannot be known without a database: a source read only with `select *`, "
        "or a column that none of the model's parents has.  No column list is invented.",
        "Declare the columns (with data_type) in the sources / schema yml.",
    ),
    "SL5020": CodeDoc(
        "run_query / statement without a database",
        "A model runs a query while it renders (run_query, a statement block, dbt_utils."
        "get_column_values).  A query over seeds is answered from their CSV rows, one over "
        "information_schema.tables / columns from the project's relations and known columns (an "
        "info note says so); any other query reads rows that exist only once the pipeline runs, "
        "and the model is reported, naming what it reads, instead of rendering with an empty "
        "result.",
        "Render the values into the model, keep them in a seed, or declare the columns the "
        "query lists.",
    ),
    "SL5021": CodeDoc(
        "package not installed",
        "A model calls a macro of a package that packages.yml (or dependencies.yml, or an "
        "installed package's packages.yml) declares but dbt_packages/ does not hold: `dbt deps` "
        "was not run.  That model is reported; the others migrate.",
        "Run `dbt deps` (or copy the package into dbt_packages/) and migrate again.",
    ),
    "SL5022": CodeDoc(
        "hook not run",
        "A pre-hook / post-hook of a model (config, properties or dbt_project.yml; they add up "
        "as in dbt) or an on-run-start / on-run-end hook: a Flink pipeline runs no hooks.  The "
        "message quotes the hook's SQL.",
        "Run the statement where the table is deployed, or drop it if the stream makes it "
        "unnecessary.",
        severity="warning",
    ),
    "SL5023": CodeDoc(
        "incremental logic in a stream",
        "A stream is one continuous full refresh: is_incremental() is false and what its blocks "
        "add is dropped (quoted, as a warning); each incremental_strategy / unique_key "
        "combination is mapped to a sink mode (merge / delete+insert: upsert on the key; "
        "append, insert_overwrite, microbatch: appended), and the combinations a stream changes "
        "are warnings (append with a unique_key, merge_update_columns, incremental_predicates, "
        "an unknown strategy); delete+insert without a unique_key is an error, as in dbt.",
        "Read the message; move logic out of is_incremental() blocks if it is more than a filter.",
    ),
    "SL5024": CodeDoc(
        "relation name macro failed",
        "The project's generate_schema_name / generate_alias_name / generate_database_name "
        "macro could not be rendered for a node; that node's relation uses dbt's default.",
        "Fix the macro named in the message.",
        severity="warning",
    ),
    "SL5025": CodeDoc(
        "not checked by the Flink planner",
        "migrate plans every table on the embedded Flink 2.3 by default, so that `translated` "
        "means the planner accepts it; here the planner could not run (PyFlink or Java missing, "
        "connector jars not fetched, or the JVM did not start), so the statuses are only the "
        "static rules' verdict.",
        "Install the flink extra and Java 17 and migrate again, or pass --plan to require the "
        "planner (it fetches the connector jars once).",
        severity="warning",
    ),
    "SL5026": CodeDoc(
        "run_started_at / invocation_id rendered as a constant",
        "dbt renders run_started_at (the run's start, UTC) and invocation_id into the SQL of each "
        "run. A streaming job is deployed once and runs on, so the value shiftleft renders (the "
        "migration's start, or SOURCE_DATE_EPOCH when set, for reproducible output) stays in the "
        "pipeline as a constant: an audit column keeps the deployment's time.",
        "Keep it if the deployment time is what the column means; use CURRENT_TIMESTAMP (or the "
        "event time) for the time each row is processed.",
        severity="warning",
    ),
    "SL5027": CodeDoc(
        "operands whose types Flink cannot bring together",
        "Without the planner, the model's Flink query is typed over its parents' columns (a column "
        "the project does not type is a STRING) and the operands Flink 2.3 rejects are found: a "
        "string = / <> / IS DISTINCT FROM / NULLIF / IN (subquery) with a number (Flink has no "
        "implicit conversion between them), CASE / IF / COALESCE branches or UNION / INTERSECT / "
        "EXCEPT columns mixing a string with a number, boolean, date or timestamp (or, but in "
        "COALESCE, a DATE with a TIMESTAMP), LIKE over a non-string, a CAST between a number or boolean and a date or "
        "timestamp, an array function over a non-array, TIMESTAMPADD / TIMESTAMPDIFF over a "
        "non-integer amount or a non-datetime, || / CONCAT over a non-string. Only operands whose type is sure are judged "
        "(columns, literals, casts).",
        "Declare the columns' data_type in the properties .yml of the source or model they come "
        "from (the usual cause: a number stored in a column typed STRING for want of a "
        "declaration), or cast explicitly in the model.",
        severity="error",
    ),
    # verify (``shiftleft verify``: the translation planned and run on Flink, rows compared)
    "SLV001": CodeDoc(
        "rejected by the Flink planner",
        "verify planned the translated statement on the embedded Flink 2.3 and the planner refused "
        "it; the message is the planner's, with the position in the translated script.",
        "Fix the construct the message names, or report it if shiftleft produced it.",
        severity="error",
    ),
    "SLV002": CodeDoc(
        "failed when run on Flink",
        "The statement planned but failed when run over the seeded rows (a runtime error such as a "
        "bad cast, or the seeded tables could not be created).",
        "Read Flink's message; check the seeds' types against the schema.",
        severity="error",
    ),
    "SLV003": CodeDoc(
        "rows differ",
        "The translation ran on Flink and gave other rows than the source query on DuckDB / Spark over "
        "the same input; the report lists missing, extra and mismatched rows with their keys.",
        "Look at the first mismatched row; a function or typing difference is the usual cause.",
        severity="error",
    ),
    "SLV004": CodeDoc(
        "the source query failed",
        "The source query could not run on the reference engine, so there is nothing to compare with.",
        "Check that the seeds or schema match the query's tables.",
    ),
    "SLV005": CodeDoc(
        "rows not compared",
        "Rows of this statement (or of the script) were not compared: no seeds or generated rows, the "
        "source and translation have different numbers of statements, the translation of a query is "
        "not a query, or the source query failed on DuckDB.  A run with such a statement never ends "
        "in \"verified\".",
        "Give --seeds or --generate-rows; read the reason in the message.",
    ),
    "SL4112": CodeDoc(
        "a Top-1 Flink plans insert-only keeps replaced rows",
        "Flink 2.3 plans some Top-1s over an insert-only input (ROW_NUMBER() OVER (PARTITION BY k "
        "ORDER BY x) = 1 with an ascending x that is not an event-time attribute, among others) as an "
        "insert-only Rank: when a later row takes first place it is emitted as one more row and the "
        "one it replaces is never retracted (checked on Flink 2.3).  Only a sink that upserts on the "
        "partition key ends with the right rows; a join or aggregate above the Top-1, or a sink keyed "
        "otherwise, keeps rows the batch query would not return.  Found in the planner's plan "
        "(migrate with the planner, verify).",
        "Make the Top-1 its own model, written to an upsert table keyed on the partition, and read it "
        "from there; or order by an event-time attribute (a deduplication Flink retracts correctly).",
    ),
    # LLM stage
    "SL9101": CodeDoc(
        "translated by the LLM",
        "A construct no rule translated was translated by the local model; the answer was parsed and "
        "checked (one expression of the asked kind, only Flink built-ins) but should be reviewed.",
        "Review the translation.",
    ),
    "SL9102": CodeDoc(
        "LLM answer rejected",
        "The model's answer was not exactly one valid Flink expression of the expected kind (several "
        "statements, DDL/DML, `*`, unknown functions, control characters), so it was not used.",
        "Translate the construct by hand, or try another model.",
    ),
    "SL9103": CodeDoc(
        "LLM unavailable",
        "The model could not be asked: server down, deadline or budget exhausted, circuit breaker open "
        "after repeated failures.",
        "Start Ollama (--llm-host), or raise the budget; the construct keeps its SL9001 error.",
    ),
}


def code_doc(code: str) -> str | None:
    """The text ``shiftleft rules CODE`` prints for a non-rule code, or None."""
    doc = CODES.get(code.strip().upper())
    if doc is None:
        return None
    return f"{code.strip().upper()}: {doc.title}\n\n{doc.explanation}\n\nwhat to do: {doc.remedy}\n"


def default_severity(code: str) -> str | None:
    """The severity ``code``'s findings have unless told otherwise (None: no default)."""
    doc = CODES.get(code)
    return doc.severity if doc is not None else None


def codes_listing() -> str:
    return "".join(f"{code}  {doc.title}\n" for code, doc in sorted(CODES.items()))
