"""The declarative rule language and user rule packs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import shiftleft
from shiftleft import RuleDefinitionError
from shiftleft.rewrite.dsl import load_rules_file
from shiftleft.rewrite.registry import load_pack, resolve_rules


def write_pack(tmp_path: Path, text: str, name: str = "mypack", file: str = "x.rules") -> Path:
    pack = tmp_path / name
    pack.mkdir(exist_ok=True)
    (pack / file).write_text(textwrap.dedent(text))
    return pack


GOOD = '''
rule SL8001 strip-to-trim {
    title: "strip(s) becomes TRIM(s)"
    rationale: """A made-up function of ours."""
    match: "strip($s)"
    replace: "TRIM($s)"
    example: "SELECT strip(a) FROM t" => "SELECT TRIM(a) FROM t"
}

rule SL8002 my-concat {
    title: "my_concat(a, rest...) becomes CONCAT"
    rationale: "Rest placeholders bind the remaining arguments."
    match: "my_concat($first, $rest*)"
    replace: "CONCAT($first, '-', $rest*)"
    example: "SELECT my_concat(a, b, c) FROM t" => "SELECT CONCAT(a, '-', b, c) FROM t"
}

rule SL8003 pad-literal-only {
    title: "pad only with a literal width"
    rationale: "Conditions restrict when a rule fires."
    match: "my_pad($s, $n)"
    when: $n is integer and not $s is null
    replace: "LPAD($s, $n, ' ')"
    message: "padded $s to $n characters"
    severity: info
    example: "SELECT my_pad(a, 3) FROM t" => "SELECT LPAD(a, 3, ' ') FROM t"
}
'''


def test_user_pack_via_api(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, GOOD)
    result = shiftleft.transpile(
        "SELECT strip(a), my_concat(a, b, c), my_pad(a, 3), my_pad(a, b) FROM t", rules=[pack]
    )
    assert result.sql.startswith("SELECT TRIM(a), CONCAT(a, '-', b, c), LPAD(a, 3, ' '), MY_PAD(a, b)")
    assert result.rules_applied == ["SL8001", "SL8002", "SL8003"]
    [info] = [d for d in result.diagnostics if d.rule_id == "SL8003"]
    assert info.message == "padded a to 3 characters" and info.severity.value == "info"
    # the condition failed for my_pad(a, b): it stays, and the unmapped-function check says so
    assert any(d.rule_id == "SL9001" and "MY_PAD" in d.message for d in result.errors)


def test_placeholder_bound_twice_must_match(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        '''
        rule SL8010 same-args {
            title: "f(x, x) becomes x"
            rationale: "A placeholder used twice matches equal expressions only."
            match: "f2($x, $x)"
            replace: "$x"
            example: "SELECT f2(a, a) FROM t" => "SELECT a FROM t"
        }
        ''',
    )
    sql = shiftleft.transpile("SELECT f2(a, a), f2(a, b) FROM t", rules=[pack]).sql
    assert sql.startswith("SELECT a, F2(a, b)")


def test_type_rules(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        '''
        rule SL8020 int-to-bigint {
            title: "INT becomes BIGINT"
            rationale: "Type rules rewrite data types wherever they appear."
            match type: "INT"
            replace type: "BIGINT"
            example: "SELECT CAST(a AS INT) FROM t" => "SELECT CAST(a AS BIGINT) FROM t"
        }
        ''',
    )
    assert "(a AS BIGINT)" in shiftleft.transpile("SELECT CAST(a AS INT) FROM t", rules=[pack]).sql


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rule SL8100 x { title: \"t\" ", "syntax error in rule file"),
        ('rule SL8101 x { title: "t" rationale: "r" match: "f($a)" example: "a" => "b" }', "needs a 'replace', a 'message'"),
        ('rule SL8102 x { title: "t" rationale: "r" match: "f($a)" replace: "g($b)" example: "a" => "b" }', r"uses \$b"),
        ('rule SL8103 x { title: "t" rationale: "r" match: "f($a" replace: "g($a)" example: "a" => "b" }', "cannot parse the match pattern"),
        ('rule SL8104 x { title: "t" rationale: "r" match: "f($a)" when: $a is purple replace: "g($a)" example: "a" => "b" }', "unknown predicate 'purple'"),
        ('rule SL8105 x { title: "t" rationale: "r" match: "f($a)" replace: "g($a)" }', "at least one 'example'"),
        ('rule SL8106 x { rationale: "r" match: "f($a)" replace: "g($a)" example: "a" => "b" }', "'title' is required"),
        ('rule SL8107 x { title: "t" title: "u" rationale: "r" match: "f($a)" replace: "g($a)" example: "a" => "b" }', "given twice"),
    ],
)
def test_rule_file_errors_name_the_file_and_rule(tmp_path: Path, text: str, message: str) -> None:
    pack = write_pack(tmp_path, text)
    with pytest.raises(RuleDefinitionError, match=message) as info:
        load_rules_file(pack / "x.rules", "mypack")
    assert str(pack / "x.rules") in str(info.value)


def test_duplicate_ids_across_packs_are_refused(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        'rule SL1001 dup { title: "t" rationale: "r" match: "f($a)" replace: "g($a)" example: "a" => "a" }',
    )
    with pytest.raises(RuleDefinitionError, match="duplicate rule id SL1001"):
        resolve_rules([pack])


def test_python_rule_in_a_user_pack(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        '''
        from sqlglot import exp
        from shiftleft.rewrite import Example, Rule


        class UpperLiterals(Rule):
            """Upper-cases string literals (a toy)."""

            id = "SL8200"
            name = "upper-literals"
            title = "String literals become upper case"
            node_types = (exp.Literal,)
            examples = (Example(before="SELECT 'a'", after="SELECT 'A'"),)

            def apply(self, node, ctx):
                if node.is_string and node.this != node.this.upper():
                    return exp.Literal.string(node.this.upper())
                return None
        ''',
        file="upper.py",
    )
    rules = load_pack(pack.resolve())
    assert [r.id for r in rules] == ["SL8200"] and rules[0].pack == "mypack"
    assert shiftleft.transpile("SELECT 'x' FROM t", rules=[pack]).sql == "SELECT 'X' FROM t;\n"


def test_python_rule_without_examples_is_refused(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        '''
        from sqlglot import exp
        from shiftleft.rewrite import Rule

        class NoExamples(Rule):
            """x"""
            id = "SL8300"
            name = "no-examples"
            title = "x"
            node_types = (exp.Literal,)
        ''',
        file="bad.py",
    )
    with pytest.raises(RuleDefinitionError, match="at least one example"):
        load_pack(pack.resolve())


def test_failing_rule_becomes_a_diagnostic(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        '''
        from sqlglot import exp
        from shiftleft.rewrite import Example, Rule

        class Boom(Rule):
            """Always fails."""
            id = "SL8400"
            name = "boom"
            title = "Fails"
            node_types = (exp.Literal,)
            examples = (Example(before="SELECT 1", after="SELECT 1"),)

            def apply(self, node, ctx):
                raise RuntimeError("kaput")
        ''',
        file="boom.py",
    )
    result = shiftleft.transpile("SELECT 1", rules=[pack])
    assert result.sql == "SELECT 1;\n"
    [diag] = result.errors
    assert diag.rule_id == "SL9000" and "SL8400" in diag.message and "kaput" in diag.message


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(shiftleft.ConfigError, match="is not a directory"):
        shiftleft.transpile("SELECT 1", rules=[tmp_path / "missing"])


def test_entry_point_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed package can contribute a pack through the `shiftleft.rules` entry point."""
    from shiftleft.rewrite.registry import entry_point_pack_paths

    pack = write_pack(tmp_path, GOOD, name="acme-pack")
    dist = tmp_path / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shiftleft.rules]\nacme = acme_rules:pack_dir\n")
    (tmp_path / "acme_rules.py").write_text(f"def pack_dir():\n    return {str(pack)!r}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert pack in entry_point_pack_paths()
    rules = load_pack(pack.resolve())
    assert [r.id for r in rules] == ["SL8001", "SL8002", "SL8003"]


def test_broken_entry_point_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shiftleft.rewrite.registry import entry_point_pack_paths

    dist = tmp_path / "broken_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shiftleft.rules]\nbroken = no_such_module:x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(shiftleft.ConfigError, match="entry point 'broken'"):
        entry_point_pack_paths()


def test_bound_compound_expressions_keep_their_precedence(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        '''
        rule SL8500 negate-it {
            title: "neg(x) becomes -x"
            rationale: "A bound sum under a unary minus needs parentheses."
            match: "neg($x)"
            replace: "-$x * 2"
            example: "SELECT neg(a + 1) FROM t" => "SELECT -(a + 1) * 2 FROM t"
        }

        rule SL8501 batch-only {
            title: "batch-only rule"
            rationale: "Its examples run in batch mode."
            match: "bonly($x)"
            replace: "ABS($x)"
            modes: batch
            example: "SELECT bonly(a) FROM t" => "SELECT ABS(a) FROM t"
        }
        ''',
    )
    rules = load_pack(pack.resolve())
    assert rules[1].examples[0].mode.value == "batch"
    assert shiftleft.transpile("SELECT neg(a + 1), neg(b) FROM t", rules=[pack]).sql == (
        "SELECT -(a + 1) * 2, -b * 2 FROM t;\n"
    )
    # batch-only: not applied in streaming mode
    assert "BONLY(a)" in shiftleft.transpile("SELECT bonly(a) FROM t", rules=[pack]).sql
    assert "ABS(a)" in shiftleft.transpile("SELECT bonly(a) FROM t", rules=[pack], mode="batch").sql


def test_python_rules_share_pack_helpers(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "UPPER = str.upper\n", file="_shared.py")
    (pack / "rule.py").write_text(
        textwrap.dedent(
            '''
            from sqlglot import exp
            from shiftleft.rewrite import Example, Rule
            from shiftleft.rewrite.packs import pack_module

            S = pack_module(__file__, "_shared")


            class Shout(Rule):
                """Uses a helper module of its pack."""
                id = "SL8600"
                name = "shout"
                title = "Literals shout"
                node_types = (exp.Literal,)
                examples = (Example(before="SELECT 'a'", after="SELECT 'A'"),)

                def apply(self, node, ctx):
                    if node.is_string and node.this != S.UPPER(node.this):
                        return exp.Literal.string(S.UPPER(node.this))
                    return None
            '''
        )
    )
    assert shiftleft.transpile("SELECT 'x'", rules=[pack]).sql == "SELECT 'X';\n"
    from shiftleft.rewrite.packs import pack_module

    with pytest.raises(RuleDefinitionError, match=r"no helper module _missing\.py"):
        pack_module(str(pack / "rule.py"), "_missing")
