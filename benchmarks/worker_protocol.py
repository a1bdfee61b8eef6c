"""The worker side of the benchmark protocol: JSON lines over stdin/stdout.

Shared by workloads_mx.py and workloads_torch.py; imports the standard library only, so it
runs in any of the benchmark interpreters (mixnet's, the MXNet venv's, the PyTorch venv's).

Protocol (one JSON object per line):
  worker -> driver, once at start:  {"ready": true, "info": {...}}
                                    {"ready": false, "error": "Traceback ..."}
  driver -> worker:                 {"workload": "chain20"}
  worker -> driver:                 {"ok": true, "seconds": 0.0123, "unit": "chain"}
                                    {"ok": false, "error": "Traceback ..."}
The worker exits on EOF.
"""

import json
import os
import sys
import traceback


def _claim_stdout():
    """Return a private text stream on the real stdout and point fd 1 at stderr.

    NOTE: libraries (and C code under them) sometimes print to stdout; that would corrupt the
    protocol, so everything except our own replies goes to stderr.
    """
    reply = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return reply


def _send(stream, obj):
    stream.write(json.dumps(obj) + "\n")
    stream.flush()


def serve(load):
    """Run the request loop.

    ``load()`` imports the framework and returns ``(workloads, info)``: a dict mapping a
    workload name to a function returning ``(seconds_per_unit, unit)``, and a dict of facts
    about this worker (versions, thread settings) that the driver records.
    """
    reply = _claim_stdout()
    # NOTE: the broad excepts are deliberate: any failure, import or workload, must come back
    # to the driver as text (it is what the report shows), never kill the worker silently.
    try:
        workloads, info = load()
    except Exception:
        _send(reply, {"ready": False, "error": traceback.format_exc()})
        return
    _send(reply, {"ready": True, "info": info})
    for line in sys.stdin:
        name = json.loads(line)["workload"]
        try:
            if name not in workloads:
                raise KeyError(f"unknown workload {name!r}; this worker has {sorted(workloads)}")
            seconds, unit = workloads[name]()
            _send(reply, {"ok": True, "seconds": seconds, "unit": unit})
        except Exception:
            _send(reply, {"ok": False, "error": traceback.format_exc()})
