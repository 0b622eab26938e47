"""The ``shiftleft rules`` subcommand: list the rewrite rules, or explain one rule or code."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from shiftleft.cli.common import EXIT_OK, exit_codes_help, fail
from shiftleft.codes import code_doc, codes_listing
from shiftleft.errors import ShiftleftError
from shiftleft.rewrite.catalog import rule_doc, rules_catalog, rules_markdown


def _cmd_rules(args: argparse.Namespace) -> int:
    try:
        catalog = rules_catalog(args.rules or None)
    except ShiftleftError as e:
        return fail(e)
    if args.rule:
        wanted = args.rule.lower()
        match = [r for r in catalog if wanted in (r.id.lower(), r.name)]
        if match:
            sys.stdout.write(rule_doc(match[0]))
            return EXIT_OK
        code = code_doc(args.rule)
        if code is None:
            return fail(f"no rule or code '{args.rule}'; see `shiftleft rules` and `shiftleft rules --codes`")
        sys.stdout.write(code)
        return EXIT_OK
    if args.codes:
        sys.stdout.write(codes_listing())
        return EXIT_OK
    if args.format == "json":
        sys.stdout.write(json.dumps([r.model_dump(mode="json") for r in catalog], indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(rules_markdown(catalog))
    else:
        width = max((len(r.name) for r in catalog), default=0)
        for r in catalog:
            print(f"{r.id}  {r.name:<{width}}  {r.title}")
    return EXIT_OK



def register(subparsers: Any) -> None:
    """Add the ``rules`` subcommand to the ``shiftleft`` parser's subparsers."""
    r = subparsers.add_parser(
        "rules",
        help="list the rewrite rules, or explain one rule or code",
        epilog=exit_codes_help("shown", None, "unknown rule or code, bad rule pack"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("rule", nargs="?", metavar="ID", help="a rule id or name: show its rationale and examples")
    r.add_argument("--format", default="table", choices=["table", "json", "markdown"])
    r.add_argument("--codes", action="store_true", help="list the error and diagnostic codes that are not rules")
    r.add_argument("--rules", action="append", metavar="DIR", help="extra rule pack directory (repeatable)")
    r.set_defaults(func=_cmd_rules)
