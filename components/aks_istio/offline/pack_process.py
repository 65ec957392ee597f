"""Start a Python policy pack the way the Pulumi engine does.

The engine's Python language host runs `python <pack dir> <engine address>` with the stack's environment
(pulumi/pulumi sdk/python/cmd/pulumi-language-python main.go `RunPlugin`); `PolicyPack()` prints the port it
serves on as the first line of stdout (pulumi_policy/policy.py). We do the same, minus the engine address (the
Python SDK's server does not call back into the engine). Starting one needs nothing but the standard library, so
a command can start the pack before it loads gRPC and Pulumi (`aks_istio.offline.analyzer_client` talks to it).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from aks_istio.offline.stack_files import PROJECT_ROOT

if TYPE_CHECKING:
    from pulumi.runtime.proto import analyzer_pb2_grpc

PACK_DIR: Final = PROJECT_ROOT / "policy"
START_TIMEOUT_SECONDS: Final = 60.0


class PolicyPackProcess:
    """A running policy pack. Start it early: its imports overlap with whatever the caller does meanwhile."""

    def __init__(
        self,
        pack_dir: Path,
        *,
        project: str = "project",
        stack: str = "stack",
        python_options: Sequence[str] = (),
    ) -> None:
        """Start the pack exactly as the engine starts it: `python <pack dir>`, pulumi-policy as it ships."""
        env = {
            **os.environ,
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": stack,
            "PULUMI_DRY_RUN": "true",
            "PULUMI_CONFIG": "{}",
        }
        # Lives as long as the pack process; close() closes it.
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._process = subprocess.Popen(
            [sys.executable, *python_options, "-u", str(pack_dir)],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            cwd=pack_dir,
        )
        self._port: queue.Queue[str] = queue.Queue(maxsize=1)
        threading.Thread(target=self._read_port, daemon=True).start()
        self._channel: Any = None  # a grpc.Channel once the port is known

    def _read_port(self) -> None:
        assert self._process.stdout is not None
        self._port.put(self._process.stdout.readline().decode().strip())

    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
        from pulumi.runtime.proto import analyzer_pb2_grpc

        if self._channel is None:
            try:
                port = self._port.get(timeout=START_TIMEOUT_SECONDS)
            except queue.Empty:
                port = ""
            if not port.isdigit():
                if self._ended_by_ctrl_c():
                    # The terminal signals the whole process group: Ctrl-C can reach the pack before this process
                    # sees it. The user's interrupt (exit 130), not a pack that failed to start (exit 3).
                    raise KeyboardInterrupt
                raise RuntimeError(f"policy pack did not start: {self.stderr()[-2000:]}")
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        return analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def _ended_by_ctrl_c(self) -> bool:
        try:
            code = self._process.wait(timeout=5)  # its stdout closed: it is ending
        except subprocess.TimeoutExpired:
            return False
        return code == -signal.SIGINT

    @property
    def pid(self) -> int:
        return int(self._process.pid)

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._stderr.close()

    def __enter__(self) -> PolicyPackProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
