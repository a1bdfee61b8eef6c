"""MXDataIter: the base of the iterators MXNet implements in C++ (CSVIter, LibSVMIter,
MNISTIter), with the batching rules of its BatchLoader, plus their parameter parsing and
file reading (dmlc's byte-range partitions).
"""
import ast
import os

import numpy as np

from ..base import MXNetError
from ..ndarray import array
from .io import DataBatch, DataDesc, DataIter, scalar_type

__all__ = ["MXDataIter"]

REQUIRED = object()   # marks a required keyword parameter (MXNet checks them itself)


class BatchLoader:
    """Cuts the rows of a ``source`` into batches, as MXNet's C++ BatchLoader.

    ``source`` has ``num_rows`` and ``rows(idx) -> (data, label)`` (NumPy, stacked rows).
    ``last_batch``:

    * ``'round'`` (round_batch=True): the last batch wraps around to the first rows and
      ``pad`` counts them; that epoch then ends, and the next epoch continues after the
      wrapped rows instead of restarting (reset only rewinds when nothing wrapped);
    * ``'keep'`` (round_batch=False): the last batch is completed with the rows of the
      previous batch still in the buffer (zeros at first) and ``pad`` counts them;
    * ``'discard'``: an incomplete last batch is dropped.
    """

    def __init__(self, source, batch_size, last_batch):
        self.source = source
        self.batch_size = batch_size
        self.last_batch = last_batch
        self.pos = 0
        self.num_overflow = 0
        self._buffer = None   # the previous batch (data, label, index), for 'keep'

    def before_first(self):
        if self.last_batch != "round" or self.num_overflow == 0:
            self.pos = 0
        else:
            self.num_overflow = 0

    def next_batch(self):
        """``(data, label, pad, index)`` of the next batch, or None at the end of the epoch."""
        if self.num_overflow != 0:
            return None
        n, bs = self.source.num_rows, self.batch_size
        top = min(bs, n - self.pos)
        if top <= 0 or (top < bs and self.last_batch == "discard"):
            return None
        index = np.arange(self.pos, self.pos + top)
        self.pos += top
        if top == bs:
            return self._keep(*self.source.rows(index), 0, index)
        pad = bs - top
        if self.last_batch == "round":
            if pad > n:
                raise MXNetError("number of input must be bigger than batch size")
            index = np.concatenate([index, np.arange(pad)])
            self.pos = self.num_overflow = pad
            return self._keep(*self.source.rows(index), pad, index)
        # 'keep': the rows after `top` still hold the previous batch (zeros at first)
        data, label = self.source.rows(index)
        if self._buffer is None:
            old = (np.zeros((bs,) + data.shape[1:], data.dtype),
                   np.zeros((bs,) + label.shape[1:], label.dtype), np.zeros(bs, np.int64))
        else:
            old = self._buffer
        full = [np.concatenate([new, prev[top:]]) for new, prev in zip((data, label, index), old)]
        return self._keep(full[0], full[1], pad, full[2])

    def _keep(self, data, label, pad, index):
        self._buffer = (data, label, index)
        return data, label, pad, index


class MXDataIter(DataIter):
    """A data iterator fed by a BatchLoader (MXNet: the Python face of a C++ iterator).

    ``getdata()`` / ``getlabel()`` return one NDArray each (not lists). The first batch is
    read at construction, to know the shapes (``provide_data`` / ``provide_label``).
    """

    # storage type of the arrays handed out (LibSVMIter: 'csr', as MXNet's)
    data_stype = label_stype = "default"

    def __init__(self, loader, data_name="data", label_name="softmax_label", dtype=None):
        super().__init__()
        self._loader = loader
        self._dtype = dtype
        self._current = None
        self.first_batch = None
        try:
            self.first_batch = self.next()
        except StopIteration:
            raise MXNetError(f"{type(self).__name__}: the data holds no complete batch of "
                             f"batch_size={loader.batch_size}") from None
        data, label = self.first_batch.data[0], self.first_batch.label[0]
        self.provide_data = [DataDesc(data_name, data.shape, scalar_type(data.dtype))]
        self.provide_label = [DataDesc(label_name, label.shape, scalar_type(label.dtype))]
        self.batch_size = data.shape[0]

    def reset(self):
        self.first_batch = None
        self._loader.before_first()

    def _advance(self):
        batch = self._loader.next_batch()
        if batch is None:
            return False
        data, label, pad, index = batch
        if self._dtype is not None:
            data, label = data.astype(self._dtype), label.astype(self._dtype)
        data, label = array(data, dtype=data.dtype), array(label, dtype=label.dtype)
        if self.data_stype != "default":
            data = data.tostype(self.data_stype)
        if self.label_stype != "default":
            label = label.tostype(self.label_stype)
        self._current = (data, label, pad, index.astype(np.uint64))
        return True

    def next(self):
        if self.first_batch is not None:
            batch, self.first_batch = self.first_batch, None
            return batch
        if not self._advance():
            raise StopIteration
        return DataBatch(data=[self.getdata()], label=[self.getlabel()], pad=self.getpad(),
                         index=self.getindex())

    def iter_next(self):
        if self.first_batch is not None:
            return True
        return self._advance()

    def getdata(self):
        return self._current[0]

    def getlabel(self):
        return self._current[1]

    def getpad(self):
        return self._current[2]

    def getindex(self):
        return self._current[3]


# --- parameters given as Python values or as MXNet's strings --------------------------

def check_params(iter_name, args, **required):
    """Reject positional arguments and report the first missing required parameter."""
    if args:
        raise TypeError(f"{iter_name} can only accept keyword arguments")
    for name, (value, kind) in required.items():
        if value is REQUIRED:
            raise MXNetError(f"Required parameter {name} of {kind} is not presented")


def as_shape(value, name):
    """A shape from a tuple/list/int or its string form '(3, 4)' / '[3,4]' / '3'."""
    if isinstance(value, str):
        value = ast.literal_eval(value.strip())
    if isinstance(value, (int, np.integer)):
        value = (value,)
    try:
        return tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise MXNetError(f"Invalid Parameter format for {name} expect Shape(tuple) "
                         f"but value='{value}'") from None


def as_bool(value):
    """A boolean from a bool/int or the strings '0', '1', 'true', 'false'."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true")
    return bool(value)


def as_dtype(value):
    """None (keep the type) or a NumPy dtype; accepts the string 'None'."""
    if value is None or value == "None":
        return None
    return np.dtype(value)


def shape_str(shape):
    """MXNet's TShape printing: ``[3,4]``."""
    return "[" + ",".join(str(s) for s in shape) + "]"


# --- files ----------------------------------------------------------------------------

def list_files(path):
    """The file, or the files of a directory in name order (dmlc reads a whole folder)."""
    if os.path.isdir(path):
        return [os.path.join(path, f) for f in sorted(os.listdir(path))
                if os.path.isfile(os.path.join(path, f))]
    if not os.path.exists(path):
        raise MXNetError(f"LocalFileSystem.GetPathInfo: {path} error: No such file or directory")
    return [path]


def _record_start(blob, offset):
    """Where the first line starting after byte ``offset`` begins (dmlc's SeekRecordBegin:
    skip to the end of the current line, then past any newline characters)."""
    if offset <= 0:
        return 0
    n = len(blob)
    while offset < n and blob[offset] not in b"\r\n":
        offset += 1
    while offset < n and blob[offset] in b"\r\n":
        offset += 1
    return offset


def read_lines(path, num_parts=1, part_index=0):
    """The non-empty lines of part ``part_index`` of ``num_parts`` of the file(s).

    As dmlc's InputSplit, parts are equal byte ranges moved forward to line starts, so
    they may hold unequal numbers of lines.
    """
    if not 0 <= part_index < num_parts:
        raise MXNetError(f"part_index={part_index} must be in [0, num_parts={num_parts})")
    blob = b""
    for name in list_files(path):
        with open(name, "rb") as f:
            data = f.read()
        blob += data if data.endswith(b"\n") or not data else data + b"\n"
    step = (len(blob) + num_parts - 1) // num_parts
    begin = _record_start(blob, min(step * part_index, len(blob)))
    end = _record_start(blob, min(step * (part_index + 1), len(blob)))
    text = blob[begin:end].decode("utf-8")
    return [line for line in text.splitlines() if line.strip()]
