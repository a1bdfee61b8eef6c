"""The driver side of worker_protocol: start one worker process and talk to it.

One Worker is one (framework, thread setting[, engine]) column of the results. Its
environment is fixed when it starts, which is why thread and engine settings need their own
workers.
"""

import json
import os
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass
class WorkerSpec:
    column: str  # "mixnet", "mxnet", "torch", "mixnet-naive", "mxnet-naive"
    threads: str  # "one" or "default"
    python: str  # interpreter to run the worker with
    script: str  # workloads_mx.py or workloads_torch.py
    arg: str  # the script's one argument
    workloads: list  # the workloads this column runs
    extra_env: dict = field(default_factory=dict)

    @property
    def label(self):
        return f"{self.column}[threads={self.threads}]"


def worker_env(spec):
    """The parent environment with thread/engine settings replaced by the spec's."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS + ("MXNET_ENGINE_TYPE",)}
    if spec.threads == "one":
        env.update({var: "1" for var in THREAD_VARS})
    if spec.column.startswith("mixnet"):
        # the worker imports mixnet from this checkout, not from whatever is installed
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(spec.extra_env)
    return env


class Worker:
    """A running worker process. Its stderr goes to a temporary file, shown on failure."""

    def __init__(self, spec):
        self.spec = spec
        self.info = None
        self.error = None  # set once the worker is unusable
        self._buf = b""
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [spec.python, str(HERE / spec.script), spec.arg],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=worker_env(spec),
            bufsize=0,
        )

    def wait_ready(self, timeout):
        msg = self._receive(timeout)
        if msg is None:
            return
        if msg.get("ready"):
            self.info = msg["info"]
        else:
            self._fail(f"failed to start:\n{msg['error']}")

    def measure(self, workload, timeout):
        """Return {"ok", "seconds", "unit"} or {"ok": False, "error"}."""
        if self.error is None:
            try:
                self._proc.stdin.write((json.dumps({"workload": workload}) + "\n").encode())
            except BrokenPipeError:
                self._fail(f"exited with code {self._proc.wait()}")
                return {"ok": False, "error": self.error}
            msg = self._receive(timeout)
            if msg is not None:
                return msg
        return {"ok": False, "error": self.error}

    def close(self):
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._stderr.close()

    def _receive(self, timeout):
        """Read one JSON line; on timeout or exit, mark the worker failed and return None."""
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self._proc.kill()
                self._proc.wait()
                self._fail(f"no reply within {timeout:.0f} s (killed)")
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                self._fail(f"exited with code {self._proc.wait()}")
                return None
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return json.loads(line)

    def _fail(self, reason):
        self._stderr.seek(0)
        tail = self._stderr.read().decode(errors="replace")[-2000:]
        self.error = f"{self.spec.label} {reason}" + (
            f"\n--- stderr tail ---\n{tail}" if tail else ""
        )
