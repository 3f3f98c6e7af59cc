"""One embedded broker and one worker (a real `wirestream worker` process) per test session."""

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def worker(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Starts the worker, waits for /health, yields its base URL, stops it."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "WIRESTREAM_BROKER": settings.broker,
        "WIRESTREAM_WEB_PORT": str(settings.web_port),
        "WIRESTREAM_PARTITIONS": str(settings.partitions),
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{settings.web_port}"
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
