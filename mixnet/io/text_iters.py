"""CSVIter and LibSVMIter: batches read from CSV and (zero-based) LibSVM text files.

LibSVMIter returns dense NDArrays (MXNet returns CSRNDArray data; mixnet has no sparse
storage yet); the file contents are kept in CSR form and densified one batch at a time.
"""
import re

import numpy as np

from ..base import MXNetError
from .native import (REQUIRED, BatchLoader, MXDataIter, as_bool, as_dtype, as_shape,
                     check_params, read_lines, shape_str)

__all__ = ["CSVIter", "LibSVMIter"]

_LEADING_INT = re.compile(r"\s*([+-]?\d+)")


class _DenseRows:
    """All rows in memory: ``rows(idx)`` indexes them."""

    def __init__(self, data, label):
        self.data, self.label = data, label
        self.num_rows = data.shape[0]

    def rows(self, idx):
        return self.data[idx], self.label[idx]


def _parse_int_token(token):
    # as strtoll: the leading integer ('1.5' -> 1, '2e3' -> 2)
    match = _LEADING_INT.match(token)
    if match is None:
        raise ValueError(token)
    return int(match.group(1))


def _parse_csv(path, dtype):
    """The CSV rows of ``path`` as a 2-D array of ``dtype`` (rows must be equally long)."""
    rows = [line.split(",") for line in read_lines(path)]
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        raise MXNetError(f"CSVIter: rows of {path} have different lengths {sorted(lengths)}")
    try:
        return np.array(rows, dtype=dtype).reshape(len(rows), -1)
    except ValueError:
        pass
    try:
        if dtype.kind in "iu":
            values = [[_parse_int_token(t) for t in r] for r in rows]
        else:
            values = [[float(t) if t.strip() else 0.0 for t in r] for r in rows]
        return np.array(values, dtype=dtype).reshape(len(rows), -1)
    except ValueError as err:
        raise MXNetError(f"CSVIter: cannot parse {err} in {path} as {dtype}") from None


def _check_row_size(values, shape, what):
    size = int(np.prod(shape))
    if values.shape[0] and values.shape[1] != size:
        raise MXNetError(f"The {what} size in CSV do not match size of shape: specified "
                         f"shape={shape_str(shape)}, the csv row-length={values.shape[1]}")


class CSVIter(MXDataIter):
    """Returns the CSV file iterator: each line is one example, reshaped to ``data_shape``.

    Parameters (keyword only)
    -------------------------
    data_csv : str, required
        The input CSV file or a directory path (all its files are read).
    data_shape : tuple, required
        The shape of one example.
    label_csv : str, default 'NULL'
        The label CSV file; 'NULL' means all labels are 0.
    label_shape : tuple, default (1,)
        The shape of one label (labels of size 1 come out as a ``(batch_size,)`` array).
    batch_size : int, required
    round_batch : bool, default True
        True: the last batch wraps around to the first examples, and the next epoch
        continues after them (``reset`` after a wrapped epoch does not rewind).
        False: the last batch is completed with the previous batch's examples.
    dtype : {None, 'float32', 'int32', 'int64', ...}, default None (float32)
        Type the entries are parsed as.
    prefetch_buffer, ctx : accepted and ignored (no prefetch threads, CPU arrays).

    Examples
    --------
    >>> it = mx.io.CSVIter(data_csv='data.csv', data_shape=(3,), batch_size=2)  # doctest: +SKIP
    """

    def __init__(self, *args, data_csv=REQUIRED, data_shape=REQUIRED, label_csv="NULL",
                 label_shape=(1,), batch_size=REQUIRED, round_batch=True, prefetch_buffer=4,
                 ctx="gpu", dtype=None, data_name="data", label_name="softmax_label",
                 **kwargs):
        # MXNet accepts (and ignores) unknown keyword parameters; so does mixnet
        check_params("CSVIter", args, data_csv=(data_csv, "string"),
                     data_shape=(data_shape, "Shape(tuple)"),
                     batch_size=(batch_size, "int (non-negative)"))
        dtype = as_dtype(dtype)
        dtype = np.dtype(np.float32) if dtype is None else dtype
        data_shape, label_shape = as_shape(data_shape, "data_shape"), \
            as_shape(label_shape, "label_shape")
        data = _parse_csv(data_csv, dtype)
        _check_row_size(data, data_shape, "data")
        if label_csv == "NULL":
            label = np.zeros((data.shape[0], int(np.prod(label_shape))), dtype=dtype)
        else:
            label = _parse_csv(label_csv, dtype)
            _check_row_size(label, label_shape, "label")
            if label.shape[0] < data.shape[0]:
                raise MXNetError(f"CSVIter: label_csv has {label.shape[0]} rows but data_csv "
                                 f"has {data.shape[0]}")
            label = label[:data.shape[0]]
        # a label of one value per example comes out as a vector
        label_row = (-1,) if int(np.prod(label_shape)) == 1 else (-1,) + label_shape
        source = _DenseRows(data.reshape((-1,) + data_shape), label.reshape(label_row))
        last = "round" if as_bool(round_batch) else "keep"
        super().__init__(BatchLoader(source, int(batch_size), last), data_name, label_name)


class _CSRRows:
    """Rows kept in CSR form (``indptr``, ``indices``, ``values``), densified on request."""

    def __init__(self, indptr, indices, values, width, label):
        self.indptr, self.indices, self.values = indptr, indices, values
        self.width, self.label = width, label
        self.num_rows = len(indptr) - 1

    def dense(self, idx):
        out = np.zeros((len(idx), self.width), dtype=np.float32)
        for r, i in enumerate(idx):
            lo, hi = self.indptr[i], self.indptr[i + 1]
            out[r, self.indices[lo:hi]] = self.values[lo:hi]
        return out

    def rows(self, idx):
        label = self.label.dense(idx) if isinstance(self.label, _CSRRows) else self.label[idx]
        return self.dense(idx), label


def _parse_libsvm_line(line, width, where):
    """(label, indices, values) of one 'label idx:val idx:val ...' line."""
    tokens = line.split()
    pairs = [t for t in tokens[1:] if not t.startswith("qid:")]
    try:
        label = float(tokens[0])
        flat = np.array(" ".join(pairs).replace(":", " ").split(), dtype=np.float64)
    except ValueError:
        raise MXNetError(f"LibSVMIter: cannot parse {where}: {line!r}") from None
    if flat.size != 2 * len(pairs):
        raise MXNetError(f"LibSVMIter: expected index:value pairs in {where}: {line!r}")
    indices = flat[0::2]
    if (indices < 0).any() or (indices != np.floor(indices)).any() or (indices >= width).any():
        raise MXNetError(f"LibSVMIter: feature indices must be integers in [0, {width}) "
                         f"(zero-based), got {indices.tolist()} in {where}")
    return label, indices.astype(np.int64), flat[1::2].astype(np.float32)


def _parse_libsvm(path, width, num_parts, part_index):
    """The (labels, CSR rows) of a part of a LibSVM file."""
    labels, indptr, indices, values = [], [0], [], []
    for n, line in enumerate(read_lines(path, num_parts, part_index)):
        label, idx, val = _parse_libsvm_line(line, width, f"line {n + 1} of part "
                                                          f"{part_index} of {path}")
        labels.append(label)
        indices.append(idx)
        values.append(val)
        indptr.append(indptr[-1] + idx.size)
    cat = (lambda parts, t: np.concatenate(parts) if parts else np.zeros(0, t))
    rows = _CSRRows(np.array(indptr), cat(indices, np.int64), cat(values, np.float32),
                    width, None)
    return np.array(labels, dtype=np.float32), rows


class LibSVMIter(MXDataIter):
    """Returns the LibSVM iterator: lines ``label idx:value ...`` with zero-based, sorted
    feature indices.

    Without ``label_libsvm`` the label is each line's first value, a ``(batch_size,)``
    array; with it, labels are the features of the label file, ``(batch_size,) +
    label_shape``. Only ``round_batch=True`` is supported (the last batch wraps around).
    ``num_parts``/``part_index`` read one byte-range part of the file(s).

    Data batches are CSRNDArrays (labels too when read from ``label_libsvm``).

    Examples
    --------
    >>> it = mx.io.LibSVMIter(data_libsvm='data.t', data_shape=(3,),
    ...                       batch_size=3)  # doctest: +SKIP
    """

    def __init__(self, *args, data_libsvm=REQUIRED, data_shape=REQUIRED, label_libsvm="NULL",
                 label_shape=(1,), num_parts=1, part_index=0, batch_size=REQUIRED,
                 round_batch=True, prefetch_buffer=4, ctx="gpu", dtype=None,
                 data_name="data", label_name="softmax_label", **kwargs):
        check_params("LibSVMIter", args, data_libsvm=(data_libsvm, "string"),
                     data_shape=(data_shape, "Shape(tuple)"),
                     batch_size=(batch_size, "int (non-negative)"))
        if not as_bool(round_batch):
            raise MXNetError("sparse batch loader doesn't support round_batch == false yet")
        data_shape, label_shape = as_shape(data_shape, "data_shape"), \
            as_shape(label_shape, "label_shape")
        if len(data_shape) != 1 or len(label_shape) != 1:
            raise MXNetError(f"LibSVMIter: data_shape and label_shape must be 1-D, got "
                             f"{data_shape} and {label_shape}")
        num_parts, part_index = int(num_parts), int(part_index)
        labels, rows = _parse_libsvm(data_libsvm, data_shape[0], num_parts, part_index)
        self.data_stype = "csr"
        if label_libsvm != "NULL":
            self.label_stype = "csr"
        if label_libsvm == "NULL":
            rows.label = labels
        else:
            _, rows.label = _parse_libsvm(label_libsvm, label_shape[0], num_parts, part_index)
            if rows.label.num_rows < rows.num_rows:
                raise MXNetError(f"LibSVMIter: label_libsvm has {rows.label.num_rows} rows "
                                 f"but data_libsvm has {rows.num_rows}")
        super().__init__(BatchLoader(rows, int(batch_size), "round"), data_name, label_name,
                         dtype=as_dtype(dtype))
