"""BigQuery functions with an exact Flink form that sqlglot's reader does not give: hex digests
and the TIMESTAMP constructor."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext

#: BigQuery digest (BYTES) -> the Flink function of its lower-case hex text
_HEX_DIGESTS: dict[type[exp.Expr], type[exp.Func]] = {
    exp.MD5Digest: exp.MD5,
    exp.SHA1Digest: exp.SHA,
    exp.SHA2Digest: exp.SHA2,
}


class HexDigest(Rule):
    """BigQuery's ``MD5`` / ``SHA1`` / ``SHA256`` / ``SHA512`` return BYTES, written as text
    with ``TO_HEX`` (lower case: dbt's ``hash`` and ``dbt_utils.generate_surrogate_key`` on
    BigQuery are ``to_hex(md5(cast(... as string)))``).  Flink's ``MD5`` / ``SHA1`` / ``SHA2``
    return that lower-case hex text directly (NULL for NULL, as BigQuery), so
    ``to_hex(sha256(x))`` becomes ``SHA2(x, 256)``; an upper-case ``HEX`` of a digest becomes
    ``UPPER(...)`` of it.  A digest used as BYTES (compared, encoded otherwise) has no Flink
    function and stays reported (SL9001)."""

    id = "SL1128"
    name = "bigquery-hex-digest"
    title = "BigQuery to_hex(md5 / sha1 / sha256 / sha512(x)) becomes MD5 / SHA1 / SHA2(x, n)"
    node_types = (exp.LowerHex, exp.Hex)
    examples = (
        Example(before="SELECT to_hex(sha256(s)) FROM t", after="SELECT SHA2(s, 256) FROM t", read="bigquery"),
        Example(before="SELECT to_hex(sha1(s)) AS k FROM t", after="SELECT SHA1(s) AS k FROM t", read="bigquery"),
        Example(before="SELECT to_hex(sha512(CONCAT(a, b))) FROM t", after="SELECT SHA2(CONCAT(a, b), 512) FROM t",
                read="bigquery"),
        Example(before="SELECT hex(sha2(s, 256)) FROM t", after="SELECT HEX(SHA2(s, 256)) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        digest = node.this
        flink = _HEX_DIGESTS.get(type(digest))
        if flink is None or digest.args.get("expressions"):
            return None
        hashed = flink(this=digest.this.copy())
        if isinstance(digest, exp.SHA2Digest):
            hashed.set("length", (digest.args.get("length") or exp.Literal.number(256)).copy())
        return hashed if isinstance(node, exp.LowerHex) else exp.Upper(this=hashed)


class BigQueryTimestamp(Rule):
    """BigQuery's ``TIMESTAMP(x)`` makes a TIMESTAMP of a string, a DATE (midnight) or a
    DATETIME, in UTC: the same as ``CAST(x AS TIMESTAMP)`` there, which shiftleft writes as a
    cast to Flink's ``TIMESTAMP_LTZ`` (BigQuery's TIMESTAMP is an instant).  With a time zone
    argument (``TIMESTAMP(s, 'America/Los_Angeles')``) the text is read in that zone, which no
    Flink cast does: the call is left to SL9001, which reports it."""

    id = "SL1129"
    name = "bigquery-timestamp-function"
    title = "BigQuery TIMESTAMP(x) becomes CAST(x AS TIMESTAMP_LTZ), as its CAST(x AS TIMESTAMP)"
    node_types = (exp.Timestamp,)
    examples = (
        Example(before="SELECT TIMESTAMP(d) AS ts FROM t", after="SELECT CAST(d AS TIMESTAMP_LTZ) AS ts FROM t",
                read="bigquery"),
        Example(before="SELECT TIMESTAMP('2024-01-01 10:00:00') FROM t",
                after="SELECT CAST('2024-01-01 10:00:00' AS TIMESTAMP_LTZ) FROM t", read="bigquery"),
        Example(before="SELECT TIMESTAMP(s, 'America/Los_Angeles') FROM t",
                after="SELECT TIMESTAMP(s, 'America/Los_Angeles') FROM t", read="bigquery", diagnoses=False),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read != "bigquery" or node.this is None or node.args.get("zone") is not None:
            return None
        return exp.Cast(this=node.this.copy(), to=exp.DataType.build("TIMESTAMPTZ"))
