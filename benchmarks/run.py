"""Benchmark mixnet against the reference MXNet 1.9.1 and PyTorch (CPU), in one interleaved run.

    python benchmarks/run.py [--frameworks mixnet,mxnet,torch] [--threads one|default|both]
                             [--repeats N] [--workloads a,b] [--out PATH]

Each framework runs in its own persistent worker process (one per thread setting), so import
time is not measured. Repetitions go round-robin over all workers, so machine noise hits
every framework alike. See benchmarks/README.md for setup and for what the numbers mean.
"""

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

from report import Cell, notes, records, table
from workers import HERE, Worker, WorkerSpec

WORKLOADS = (
    "dispatch_add",
    "chain20",
    "mlp_autograd",
    "engine_parallel",
    "module_mlp",
    "module_lenet",
)
FRAMEWORKS = ("mixnet", "mxnet", "torch")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    p.add_argument("--mixnet-python", default=sys.executable)
    for fw in ("mxnet", "torch"):
        var = f"MIXNET_BENCH_{fw.upper()}_PYTHON"
        p.add_argument(f"--{fw}-python", default=os.environ.get(var), help=f"default: ${var}")
    p.add_argument("--threads", choices=("one", "default", "both"), default="both")
    p.add_argument("--repeats", type=int, default=5, help="timed repetitions (after 1 warm-up)")
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument(
        "--timeout", type=float, default=300, help="seconds per reply before a worker is killed"
    )
    p.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    args = p.parse_args(argv)
    args.frameworks = _split(args.frameworks, FRAMEWORKS, "framework")
    args.workloads = _split(args.workloads, WORKLOADS, "workload")
    args.threads = ["one", "default"] if args.threads == "both" else [args.threads]
    return args


def _split(text, allowed, what):
    items = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [x for x in items if x not in allowed]
    if unknown:
        sys.exit(f"unknown {what}(s) {unknown}; choose from {', '.join(allowed)}")
    return items


def plan(args):
    """One WorkerSpec per (column, thread setting); skip frameworks without an interpreter."""
    pythons = {"mixnet": args.mixnet_python, "mxnet": args.mxnet_python, "torch": args.torch_python}
    specs = []
    for fw in args.frameworks:
        if not pythons[fw]:
            var = f"MIXNET_BENCH_{fw.upper()}_PYTHON"
            print(f"skipping {fw}: no interpreter (set ${var} or --{fw}-python)", file=sys.stderr)
            continue
        script = "workloads_torch.py" if fw == "torch" else "workloads_mx.py"
        for threads in args.threads:
            # the mx worker is told which module to import; torch's, whether to set_num_threads(1)
            arg = threads if fw == "torch" else fw
            common = {"threads": threads, "python": pythons[fw], "script": script, "arg": arg}
            specs.append(WorkerSpec(column=fw, workloads=args.workloads, **common))
            if fw != "torch" and "engine_parallel" in args.workloads:
                specs.append(
                    WorkerSpec(
                        column=f"{fw}-naive",
                        workloads=["engine_parallel"],
                        extra_env={"MXNET_ENGINE_TYPE": "NaiveEngine"},
                        **common,
                    )
                )
    return specs


def start(specs, timeout):
    workers = [Worker(s) for s in specs]  # all start at once; imports overlap
    for w in workers:
        w.wait_ready(timeout)
        if w.error:
            print(f"WARNING {w.error}", file=sys.stderr)
    return workers


def measure_all(workers, args):
    """Warm-up round, then args.repeats rounds; each round visits every worker once per workload."""
    cells = {
        (w.spec.column, w.spec.threads, name): Cell() for w in workers for name in w.spec.workloads
    }
    for rnd in range(args.repeats + 1):
        print(f"round {rnd}/{args.repeats}" + (" (warm-up)" if rnd == 0 else ""), file=sys.stderr)
        shift = rnd % len(workers)  # rotate who goes first, so no column always runs first
        order = workers[shift:] + workers[:shift]
        for name in args.workloads:
            for w in order:
                cell = cells.get((w.spec.column, w.spec.threads, name))
                if cell is None or cell.error:
                    continue  # not this worker's workload, or already failed: do not retry
                reply = w.measure(name, args.timeout)
                if not reply["ok"]:
                    cell.error = reply["error"]
                elif rnd > 0:
                    cell.samples.append(reply["seconds"])
                    cell.unit = reply["unit"]
    return cells


def main(argv=None):
    args = parse_args(argv)
    specs = plan(args)
    if not specs:
        sys.exit("nothing to run")
    workers = start(specs, args.timeout)
    try:
        cells = measure_all(workers, args)
    finally:
        for w in workers:
            w.close()
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs"
    print(f"\nmedian of {args.repeats} repeats; machine: {machine}")
    for threads in args.threads:
        print(f"\n### threads = {threads}\n\n{table(cells, threads, args.workloads)}\n")
        print(notes(cells, threads, args.workloads))
    write_json(args, workers, cells)


def write_json(args, workers, cells):
    meta = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "argv": sys.argv[1:],
        "repeats": args.repeats,
    }
    workers_info = {w.spec.label: w.info or {"error": w.error} for w in workers}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"meta": meta, "workers": workers_info, "results": records(cells)}, indent=1)
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
