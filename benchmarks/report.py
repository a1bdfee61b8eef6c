"""Turn measured samples into medians, markdown tables and the JSON record."""

import statistics

from workload_sizes import MLP_BATCH, MODULE_LENET_BATCH, MODULE_MLP_BATCH

# how each workload's seconds-per-unit are shown in the tables
DISPLAY = {
    "dispatch_add": (1e6, "µs/op"),
    "chain20": (1e3, "ms/chain"),
    "mlp_autograd": (1e3, "ms/iter"),
    "engine_parallel": (1e3, "ms/pair"),
    "module_mlp": (1e3, "ms/batch"),
    "module_lenet": (1e3, "ms/batch"),
}
# training workloads whose throughput (samples/s = batch size / time per step) is printed
BATCH_SIZES = {
    "mlp_autograd": MLP_BATCH,
    "module_mlp": MODULE_MLP_BATCH,
    "module_lenet": MODULE_LENET_BATCH,
}
NOISY = 2.0  # a cell whose slowest round took over this many times its fastest gets a note
BASE_COLUMNS = ("mixnet", "mxnet", "torch")
NAIVE_COLUMNS = ("mixnet-naive", "mxnet-naive")


class Cell:
    """The samples of one (column, thread setting, workload)."""

    def __init__(self):
        self.samples = []  # seconds per unit
        self.unit = None
        self.error = None

    @property
    def median(self):
        return statistics.median(self.samples) if self.samples and not self.error else None


def _median(cells, key):
    return cells[key].median if key in cells else None


def _fmt(value, scale):
    if value is None:
        return "—"
    shown = value * scale
    return f"{shown:.1f}" if shown >= 10 else f"{shown:.3g}"


def _ratio(num, den):
    return "—" if num is None or den is None else f"{num / den:.2f}x"


def table(cells, threads, workloads):
    """A markdown table for one thread setting; cells maps (column, threads, workload) -> Cell."""
    columns = [c for c in BASE_COLUMNS + NAIVE_COLUMNS if any(k[:2] == (c, threads) for k in cells)]
    head = ["workload", "unit", *columns, "mixnet/mxnet", "mixnet/torch"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for w in workloads:
        scale, unit = DISPLAY[w]
        med = {c: _median(cells, (c, threads, w)) for c in columns}
        row = [w, unit, *(_fmt(med[c], scale) for c in columns)]
        row += [
            _ratio(med.get("mixnet"), med.get("mxnet")),
            _ratio(med.get("mixnet"), med.get("torch")),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def notes(cells, threads, workloads):
    """Derived numbers under a table: engine speed-up, MLP throughput, errors."""
    out = []

    def get(column, workload):
        return _median(cells, (column, threads, workload))

    if "engine_parallel" in workloads:
        parts = [
            f"{fw} {_ratio(get(fw + '-naive', 'engine_parallel'), get(fw, 'engine_parallel'))}"
            for fw in ("mixnet", "mxnet")
            if (fw, threads, "engine_parallel") in cells
        ]
        if parts:
            out.append("engine speed-up (NaiveEngine time / threaded time): " + ", ".join(parts))
    for w, batch in BATCH_SIZES.items():
        if w not in workloads:
            continue
        parts = [f"{c} {batch / get(c, w):,.0f}" for c in BASE_COLUMNS if get(c, w)]
        if parts:
            out.append(f"{w} samples/s: " + ", ".join(parts))
    for (c, t, w), cell in sorted(cells.items()):
        if t == threads and cell.error:
            out.append(f"ERROR {c} {w}: {_last_line(cell.error)}")
        elif t == threads and cell.median and max(cell.samples) > NOISY * min(cell.samples):
            scale, unit = DISPLAY[w]
            low, high = _fmt(min(cell.samples), scale), _fmt(max(cell.samples), scale)
            out.append(f"noisy: {c} {w} ranged {low}–{high} {unit} over the rounds")
    return "\n".join(f"- {line}" for line in out)


def _last_line(text):
    lines = [ln for ln in text.strip().splitlines() if ln.strip() and not ln.startswith("---")]
    return lines[-1].strip() if lines else text


def records(cells):
    """The per-cell part of the JSON output."""
    return [
        {
            "framework": c,
            "threads": t,
            "workload": w,
            "unit": cell.unit,
            "samples_s": cell.samples,
            "median_s": cell.median,
            "error": cell.error,
        }
        for (c, t, w), cell in sorted(cells.items())
    ]
