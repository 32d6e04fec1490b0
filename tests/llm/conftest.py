"""A real language model for the tests: llama.cpp's server on SmolLM2-135M-Instruct, built and
started by ``scripts/local-llm.sh`` (``make llm-server`` builds it once into .hirecrew/llm), and
a small proxy that can put faults between hirecrew and it."""

from __future__ import annotations

import http.server
import json
import os
import socketserver
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "local-llm.sh"
LLM_HOME = Path(os.environ.get("HIRECREW_LLM_HOME", REPO / ".hirecrew" / "llm"))


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HIRECREW_LLM_HOME": str(LLM_HOME)}
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=1800, check=False
    )


@pytest.fixture(scope="session")
def llm_url() -> Iterator[str]:
    """The base URL (``.../v1``) of a running local model server."""
    if not (LLM_HOME / "bin" / "llama-server").exists():
        built = _script("build")
        if built.returncode != 0:
            pytest.fail(f"could not build the local model server:\n{built.stderr[-3000:]}")
    started = _script("start")
    if started.returncode != 0:
        pytest.fail(f"the local model server did not start:\n{started.stderr[-3000:]}")
    try:
        yield started.stdout.strip()
    finally:
        _script("stop")


class FaultProxy:
    """An HTTP proxy to the model server; ``fault`` picks what it does to the next requests:
    None (forward), "500", "429" (then forward: ``times``), "delay" (``delay_s`` before
    forwarding), "truncate" (cut the JSON answer in half), "corrupt" (non-JSON body),
    "drop" (close the connection without an answer)."""

    def __init__(self, target: str) -> None:
        # "http://127.0.0.1:PORT/v1" -> "http://127.0.0.1:PORT": requests keep their path.
        self.origin = target.rstrip("/").rsplit("/v1", 1)[0]
        self.fault: str | None = None
        self.times = 10**9
        self.delay_s = 0.0
        self.requests = 0
        self.faults_served = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._forward(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._forward(self.rfile.read(length))

            def _forward(self, body: bytes) -> None:
                proxy.requests += 1
                fault = proxy.fault if proxy.faults_served < proxy.times else None
                if fault is not None:
                    proxy.faults_served += 1
                if fault in ("500", "429"):
                    payload = json.dumps({"error": {"message": f"injected {fault}"}}).encode()
                    self.send_response(int(fault))
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    if fault == "429":
                        self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault == "delay":
                    time.sleep(proxy.delay_s)
                request = urllib.request.Request(
                    proxy.origin + self.path,
                    data=body or None,
                    method=self.command,
                    headers={"Content-Type": "application/json"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=300) as answer:
                        status, data = answer.status, answer.read()
                except urllib.error.HTTPError as exc:
                    status, data = exc.code, exc.read()
                if fault == "truncate":
                    data = data[: len(data) // 2]
                elif fault == "corrupt":
                    data = b"<html>502 bad gateway</html>"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def inject(self, fault: str | None, *, times: int = 10**9, delay_s: float = 0.0) -> None:
        self.fault, self.times, self.delay_s, self.faults_served = fault, times, delay_s, 0


@pytest.fixture
def proxy(llm_url: str) -> Iterator[FaultProxy]:
    faulty = FaultProxy(llm_url)
    faulty.thread.start()
    try:
        yield faulty
    finally:
        faulty.server.shutdown()
