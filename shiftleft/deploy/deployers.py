"""Where statements go: a :class:`Deployer` per kind of target.

* :class:`PyFlinkDeployer`: a Flink cluster's REST endpoint, through PyFlink (a
  ``TableEnvironment`` with ``execution.target: remote``), job status through the JobManager
  REST API.  Tested here against a real standalone cluster started from the wheel.
* :class:`GatewayDeployer`: the Flink SQL Gateway REST API (v1/v2 sessions, statements,
  operation status and results).  The gateway jar is not in the apache-flink wheel, so it is
  tested against a local fake that follows the documented REST shapes, not a real gateway.
* :class:`ConfluentDeployer`: Confluent Cloud Flink statements (one ``POST .../statements`` per
  statement); tested against recorded request shapes, never over the network here.

Every deployer keeps one session: the DDL of every table (and of the parents of a selected
table) is executed first, so each DML finds the tables it reads.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
from collections.abc import Callable
from typing import Any, Protocol

from shiftleft.flink_engine import jvm
from shiftleft.deploy.rest import DeployError, JobManagerApi, http_json, poll_state

RUNNING = frozenset({"RUNNING"})


class Deployer(Protocol):
    """A target that runs statements and reports on the jobs they start."""

    target: str

    def new_session(self) -> None:
        """Start a fresh session (an empty in-memory catalog): called before every deploy."""

    def execute_ddl(self, statement: str) -> None:
        """Run a CREATE TABLE / CREATE VIEW (or any statement that starts no job)."""

    def submit(self, table: str, statement: str) -> str:
        """Submit an INSERT for ``table``; return the job id."""

    def state(self, job_id: str) -> str:
        """The job's state: RUNNING, FINISHED, FAILED, CANCELED..."""

    def failure(self, job_id: str) -> str | None:
        """Why a failed job failed."""

    def cancel(self, job_id: str) -> None:
        """Stop the job."""

    def close(self) -> None:
        """End the session."""


def wait_for(deployer: Deployer, job_id: str, states: frozenset[str], timeout: float) -> str:
    """Poll ``deployer`` until the job is in ``states`` or terminal; the state reached.
    Raises :class:`DeployError` on timeout."""
    return poll_state(deployer.state, job_id, states, timeout, poll=0.3)


class PyFlinkDeployer:
    """Statements through PyFlink to a cluster at ``rest_url`` (``http://host:port``)."""

    target = "flink"

    def __init__(
        self,
        rest_url: str,
        *,
        jars: list[str] | None = None,
        config: dict[str, str] | None = None,
    ) -> None:
        match = re.match(r"^(?:https?://)?([^:/]+):(\d+)/?$", rest_url)
        if not match:
            raise DeployError(f"--cluster {rest_url!r}: expected http://HOST:PORT of a JobManager")
        self.api = JobManagerApi(f"http://{match.group(1)}:{match.group(2)}")
        self.api.overview()  # fail early, with the URL, when nothing answers
        options = {
            "execution.target": "remote",
            "rest.address": match.group(1),
            "rest.port": match.group(2),
            "table.local-time-zone": "UTC",
            **(config or {}),
        }
        if jars:
            options["pipeline.jars"] = ";".join(f"file://{j}" for j in jars)
        self._options = options
        self._jars = list(jars or [])
        self._env: Any = None
        self.new_session()

    def new_session(self) -> None:
        options, jars = self._options, self._jars
        gateway = jvm.get_gateway()
        jvm_ = gateway.jvm
        conf = jvm_.org.apache.flink.configuration.Configuration()
        for key, value in options.items():
            conf.setString(key, str(value))
        builder = jvm_.org.apache.flink.table.api.EnvironmentSettings.newInstance().inStreamingMode()
        if jars:
            urls = gateway.new_array(jvm_.java.net.URL, len(jars))
            for k, jar in enumerate(jars):
                urls[k] = jvm_.java.io.File(str(jar)).toURI().toURL()
            parent = jvm_.Thread.currentThread().getContextClassLoader()
            builder = builder.withClassLoader(jvm_.java.net.URLClassLoader(urls, parent))
        self._env = jvm_.org.apache.flink.table.api.TableEnvironment.create(
            builder.withConfiguration(conf).build()
        )

    def execute_ddl(self, statement: str) -> None:
        try:
            self._env.executeSql(statement)
        except Exception as exc:  # noqa: BLE001 - Py4J wraps every Java error
            raise DeployError(_java_message(exc)) from None

    def submit(self, table: str, statement: str) -> str:
        self._env.getConfig().set("pipeline.name", f"shiftleft:{table}")
        try:
            result = self._env.executeSql(statement)
        except Exception as exc:  # noqa: BLE001
            raise DeployError(_java_message(exc)) from None
        client = result.getJobClient()
        if not client.isPresent():
            raise DeployError("the statement started no job")
        return str(client.get().getJobID().toString())

    def state(self, job_id: str) -> str:
        return self.api.state(job_id)

    def failure(self, job_id: str) -> str | None:
        return self.api.failure(job_id)

    def cancel(self, job_id: str) -> None:
        self.api.cancel(job_id)

    def close(self) -> None:
        self._env = None


def _java_message(exc: Exception) -> str:
    """The useful lines of a Py4J-wrapped Java exception (its deepest causes)."""
    text = str(getattr(exc, "java_exception", None) or exc)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("at ")]
    keep = [ln for ln in lines if "Exception" in ln or "Error" in ln] or lines
    return " | ".join(dict.fromkeys(keep[:1] + keep[-2:]))[:1500]


class GatewayDeployer:
    """Statements through a Flink SQL Gateway REST endpoint (``http://host:port``)."""

    target = "gateway"

    def __init__(
        self, url: str, *, config: dict[str, str] | None = None, timeout: float = 120.0
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.config = dict(config or {})
        self.session = ""
        self.new_session()

    def new_session(self) -> None:
        if self.session:
            self.close()
        answer = http_json(
            "POST",
            f"{self.url}/v1/sessions",
            {"sessionName": "shiftleft-deploy", "properties": self.config},
        )
        self.session = answer["sessionHandle"]

    def _base(self) -> str:
        return f"{self.url}/v1/sessions/{self.session}"

    def _run(self, statement: str, config: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Execute one statement, wait for its operation, return its result payloads."""
        body: dict[str, Any] = {"statement": statement}
        if config:
            body["executionConfig"] = config
        op = http_json("POST", f"{self._base()}/statements", body)["operationHandle"]
        deadline = time.monotonic() + self.timeout
        while True:
            status = http_json("GET", f"{self._base()}/operations/{op}/status")["status"]
            if status in ("FINISHED", "ERROR", "CANCELED", "CLOSED", "TIMEOUT"):
                break
            if time.monotonic() > deadline:
                raise DeployError(f"gateway operation {op} still {status} after {self.timeout:.0f} s")
            time.sleep(0.2)
        pages: list[dict[str, Any]] = []
        uri: str | None = f"/v1/sessions/{self.session}/operations/{op}/result/0"
        while uri:
            page = http_json("GET", self.url + uri)  # an ERROR operation answers HTTP 500 here
            if page.get("resultType") == "NOT_READY":
                time.sleep(0.2)
                continue
            pages.append(page)
            uri = page.get("nextResultUri") if page.get("resultType") != "EOS" else None
        if status != "FINISHED":
            raise DeployError(f"gateway operation {op} ended {status}")
        return pages

    def execute_ddl(self, statement: str) -> None:
        self._run(statement)

    def submit(self, table: str, statement: str) -> str:
        pages = self._run(statement, {"pipeline.name": f"shiftleft:{table}"})
        for page in pages:
            if page.get("jobID"):
                return str(page["jobID"])
            for row in (page.get("results") or {}).get("data") or []:
                if row.get("fields"):
                    return str(row["fields"][0])
        raise DeployError("the gateway returned no job id for the INSERT")

    def _jobs(self) -> dict[str, str]:
        rows: dict[str, str] = {}
        for page in self._run("SHOW JOBS"):
            results = page.get("results") or {}
            names = [c.get("name") for c in results.get("columns") or []]
            for row in results.get("data") or []:
                fields = dict(zip(names, row.get("fields") or [], strict=False))
                rows[str(fields.get("job id"))] = str(fields.get("status"))
        return rows

    def state(self, job_id: str) -> str:
        return self._jobs().get(job_id, "UNKNOWN")

    def failure(self, job_id: str) -> str | None:
        return f"job {job_id} is {self.state(job_id)} (see the cluster's logs)"

    def cancel(self, job_id: str) -> None:
        self._run(f"STOP JOB '{job_id}'")

    def close(self) -> None:
        try:
            http_json("DELETE", self._base())
        except DeployError:
            pass


Transport = Callable[[str, str, Any], Any]
"""``(method, url, body) -> decoded JSON answer``: how Confluent requests are sent."""


class ConfluentDeployer:
    """Confluent Cloud Flink statements: one ``POST .../statements`` per statement.

    ``profile`` holds ``organization_id``, ``environment_id``, ``compute_pool_id``, ``region``,
    ``cloud``, ``catalog`` (the environment name), ``database`` (the Kafka cluster) and
    optionally ``principal``.  Requests go through ``transport`` (default: HTTPS with the
    ``FLINK_API_KEY`` / ``FLINK_API_SECRET`` environment variables); :attr:`requests` records
    every request sent.
    """

    target = "confluent"
    REQUIRED = ("organization_id", "environment_id", "compute_pool_id", "region", "cloud")

    def __init__(self, profile: dict[str, str], *, transport: Transport | None = None) -> None:
        missing = [k for k in self.REQUIRED if not profile.get(k)]
        if missing:
            raise DeployError(f"the Confluent profile lacks {', '.join(missing)}")
        self.profile = profile
        self.base = (
            f"https://flink.{profile['region']}.{profile['cloud']}.confluent.cloud/sql/v1/"
            f"organizations/{profile['organization_id']}/environments/{profile['environment_id']}"
        )
        self.transport = transport or _https_transport
        self.requests: list[tuple[str, str, Any]] = []
        self._counter = 0

    def statement_request(self, name: str, statement: str) -> dict[str, Any]:
        """The body of ``POST .../statements`` for one statement."""
        properties = {}
        if self.profile.get("catalog"):
            properties["sql.current-catalog"] = self.profile["catalog"]
        if self.profile.get("database"):
            properties["sql.current-database"] = self.profile["database"]
        spec: dict[str, Any] = {
            "statement": statement,
            "properties": properties,
            "compute_pool_id": self.profile["compute_pool_id"],
            "stopped": False,
        }
        if self.profile.get("principal"):
            spec["principal"] = self.profile["principal"]
        return {
            "name": name,
            "organization_id": self.profile["organization_id"],
            "environment_id": self.profile["environment_id"],
            "spec": spec,
        }

    def _send(self, method: str, url: str, body: Any = None) -> Any:
        self.requests.append((method, url, body))
        return self.transport(method, url, body)

    def _name(self, table: str, kind: str, statement: str) -> str:
        digest = hashlib.sha256(statement.encode("utf-8")).hexdigest()[:8]
        slug = re.sub(r"[^a-z0-9-]+", "-", f"{table}-{kind}".lower()).strip("-")[:80]
        return f"shiftleft-{slug}-{digest}"

    def new_session(self) -> None:
        return None

    def execute_ddl(self, statement: str) -> None:
        self._counter += 1
        name = self._name(f"ddl{self._counter}", "ddl", statement)
        self._send("POST", f"{self.base}/statements", self.statement_request(name, statement))

    def submit(self, table: str, statement: str) -> str:
        name = self._name(table, "dml", statement)
        self._send("POST", f"{self.base}/statements", self.statement_request(name, statement))
        return name

    def state(self, job_id: str) -> str:
        answer = self._send("GET", f"{self.base}/statements/{job_id}") or {}
        phase = str((answer.get("status") or {}).get("phase", "UNKNOWN"))
        return {"COMPLETED": "FINISHED", "STOPPED": "CANCELED", "DELETED": "CANCELED"}.get(phase, phase)

    def failure(self, job_id: str) -> str | None:
        answer = self._send("GET", f"{self.base}/statements/{job_id}") or {}
        return (answer.get("status") or {}).get("detail")

    def cancel(self, job_id: str) -> None:
        current = self._send("GET", f"{self.base}/statements/{job_id}") or {}
        spec = {**(current.get("spec") or {}), "stopped": True}
        self._send("PUT", f"{self.base}/statements/{job_id}", {**current, "spec": spec})

    def close(self) -> None:
        return None


def _https_transport(method: str, url: str, body: Any) -> Any:
    key, secret = os.environ.get("FLINK_API_KEY"), os.environ.get("FLINK_API_SECRET")
    if not key or not secret:
        raise DeployError("set FLINK_API_KEY and FLINK_API_SECRET to deploy to Confluent Cloud")
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return http_json(method, url, body, headers={"Authorization": f"Basic {token}"})


__all__ = [
    "ConfluentDeployer",
    "Deployer",
    "GatewayDeployer",
    "PyFlinkDeployer",
    "wait_for",
]
