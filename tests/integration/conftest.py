"""One embedded broker and one worker (a real `wirestream worker` process) per test session."""

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline.broker import EmbeddedBroker, free_port
from pipeline.settings import Settings
from tests.conftest import ROOT

WORKER_START_TIMEOUT_S = 180


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture(scope="session")
def settings(broker: EmbeddedBroker) -> Settings:
    return Settings(broker=broker.url, web_port=free_port(), partitions=3)


@contextmanager
def running_worker(env: dict[str, str], log: Path) -> Iterator[str]:
    """A real `wirestream worker` process with `env` on top of ours; yields its base URL once
    /health answers, stops it after. Its output goes to `log`."""
    port = env.get("WIRESTREAM_WEB_PORT") or str(free_port())
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker"],
            cwd=ROOT,
            env={**os.environ, **env, "WIRESTREAM_WEB_PORT": port},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def worker(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's worker: its base URL."""
    env = {
        "WIRESTREAM_BROKER": settings.broker,
        "WIRESTREAM_WEB_PORT": str(settings.web_port),
        "WIRESTREAM_PARTITIONS": str(settings.partitions),
    }
    with running_worker(env, tmp_path_factory.mktemp("worker") / "worker.log") as base:
        yield base


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"worker not healthy in {WORKER_START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
