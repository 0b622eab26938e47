"""Test doubles: an in-memory deployer and a fake Flink SQL Gateway on 127.0.0.1.

The fake gateway follows the documented SQL Gateway REST shapes (Flink docs, "REST
Endpoint", v2): ``POST /v1/sessions`` -> ``{"sessionHandle"}``, ``POST
/v1/sessions/<h>/statements`` -> ``{"operationHandle"}``, ``GET .../operations/<op>/status``
-> ``{"status"}``, ``GET .../operations/<op>/result/<token>`` -> ``{"resultType",
"results": {"columns", "data": [{"kind", "fields"}]}, "jobID", "nextResultUri"}``; an
operation that failed answers its result request with HTTP 500 ``{"errors": [...]}``.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shiftleft.deploy.rest import DeployError


class FakeDeployer:
    """Records statements; INSERTs whose text contains ``FAIL_ME`` fail to start."""

    target = "fake"

    def __init__(self) -> None:
        self.ddl: list[str] = []
        self.jobs: dict[str, tuple[str, str]] = {}
        self.states: dict[str, str] = {}
        self.cancelled: list[str] = []
        self.sessions = 0
        self._ids = itertools.count(1)

    def new_session(self) -> None:
        self.sessions += 1

    def execute_ddl(self, statement: str) -> None:
        self.ddl.append(statement)

    def submit(self, table: str, statement: str) -> str:
        if "FAIL_ME" in statement:
            raise DeployError(f"statement of {table} rejected: FAIL_ME")
        job = f"job{next(self._ids)}"
        self.jobs[job] = (table, statement)
        self.states[job] = "RUNNING"
        return job

    def state(self, job_id: str) -> str:
        return self.states.get(job_id, "UNKNOWN")

    def failure(self, job_id: str) -> str | None:
        return "boom"

    def cancel(self, job_id: str) -> None:
        self.cancelled.append(job_id)
        self.states[job_id] = "CANCELED"

    def close(self) -> None:
        pass


class FakeGateway:
    """A fake SQL Gateway; ``statements`` records every statement received, in order."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.configs: list[dict] = []
        self.jobs: dict[str, str] = {}
        self.sessions: set[str] = set()
        self.ops: dict[str, dict] = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"{}")

            def do_POST(self) -> None:
                if self.path == "/v1/sessions":
                    handle = str(uuid.uuid4())
                    gateway.sessions.add(handle)
                    return self._send(200, {"sessionHandle": handle})
                m = re.fullmatch(r"/v1/sessions/([^/]+)/statements", self.path)
                if not m or m.group(1) not in gateway.sessions:
                    return self._send(404, {"errors": ["unknown session"]})
                body = self._body()
                return self._send(200, {"operationHandle": gateway.run(body)})

            def do_GET(self) -> None:
                m = re.fullmatch(r"/v1/sessions/([^/]+)/operations/([^/]+)/(status|result/(\d+))", self.path)
                if not m or m.group(2) not in gateway.ops:
                    return self._send(404, {"errors": ["unknown operation"]})
                op = gateway.ops[m.group(2)]
                if m.group(3) == "status":
                    return self._send(200, {"status": op["status"]})
                if op["status"] == "ERROR":
                    return self._send(500, {"errors": [op["error"]]})
                return self._send(200, op["result"])

            def do_DELETE(self) -> None:
                gateway.sessions.discard(self.path.rsplit("/", 1)[-1])
                self._send(200, {"status": "CLOSED"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def run(self, body: dict) -> str:
        statement = body["statement"]
        self.statements.append(statement)
        self.configs.append(body.get("executionConfig") or {})
        op = str(uuid.uuid4())
        columns = [{"name": "result", "logicalType": {"type": "VARCHAR"}}]
        result: dict = {"resultType": "EOS", "results": {"columns": columns, "data": []}}
        if "FAIL_ME" in statement:
            self.ops[op] = {"status": "ERROR", "error": "org.apache.flink.table.api.ValidationException: FAIL_ME"}
            return op
        if statement.upper().startswith("INSERT"):
            job = uuid.uuid4().hex
            self.jobs[job] = "RUNNING"
            result = {
                "resultType": "EOS",
                "jobID": job,
                "results": {
                    "columns": [{"name": "job id", "logicalType": {"type": "VARCHAR"}}],
                    "data": [{"kind": "INSERT", "fields": [job]}],
                },
            }
        elif statement.upper().startswith("SHOW JOBS"):
            names = ("job id", "job name", "status", "start time")
            result = {
                "resultType": "EOS",
                "results": {
                    "columns": [{"name": n} for n in names],
                    "data": [
                        {"kind": "INSERT", "fields": [j, "x", s, "2026-01-01"]}
                        for j, s in self.jobs.items()
                    ],
                },
            }
        elif statement.upper().startswith("STOP JOB"):
            self.jobs[statement.split("'")[1]] = "CANCELED"
        self.ops[op] = {"status": "FINISHED", "result": result}
        return op

    def __enter__(self) -> FakeGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
