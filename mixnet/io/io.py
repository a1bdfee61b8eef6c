"""Data iterator protocol: DataDesc, DataBatch, DataIter, and the ResizeIter/PrefetchingIter
wrappers. NDArrayIter lives in ndarray_iter.py, the file-reading iterators in text_iters.py
and mnist.py.
"""
import itertools
import threading
from collections import namedtuple

import numpy as np

from ..base import MXNetError, MXNetTypeError, MXNetValueError, mx_real_t

__all__ = ["DataDesc", "DataBatch", "DataIter", "ResizeIter", "PrefetchingIter"]


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name, shape, dtype and layout of one data or label input.

    It compares and unpacks as the tuple ``(name, shape)``; ``dtype`` and ``layout``
    are extra attributes. ``layout`` (e.g. ``'NCHW'``, ``'NTC'``) says which axis is the batch.

    Examples
    --------
    >>> mx.io.DataDesc('data', (32, 3, 28, 28))
    DataDesc[data,(32, 3, 28, 28),<class 'numpy.float32'>,NCHW]
    """

    def __new__(cls, name, shape, dtype=mx_real_t, layout="NCHW"):
        ret = super().__new__(cls, name, shape)
        ret.dtype = dtype
        ret.layout = layout
        return ret

    def __repr__(self):
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout):
        """The batch axis of ``layout`` (position of 'N'; 0 when layout is None, -1 if absent)."""
        if layout is None:
            return 0
        return layout.find("N")

    @staticmethod
    def get_list(shapes, types):
        """DataDesc list from ``[(name, shape)]`` and optional ``[(name, dtype)]``."""
        if types is not None:
            type_dict = dict(types)
            return [DataDesc(x[0], x[1], type_dict[x[0]]) for x in shapes]
        return [DataDesc(x[0], x[1]) for x in shapes]


def scalar_type(dtype):
    """MXNet reports dtypes as NumPy scalar types (``numpy.float32``), not ``dtype`` objects."""
    return np.dtype(dtype).type


class DataBatch:
    """One batch: lists of data and label arrays plus padding/index/bucket information.

    Parameters
    ----------
    data : list of NDArray
    label : list of NDArray, optional
    pad : int, optional
        Number of padding examples at the end of the batch.
    index : numpy.ndarray, optional
        Indices of the examples in the batch.
    bucket_key, provide_data, provide_label : optional
        Bucketing key and the DataDesc lists describing ``data`` / ``label``.

    Examples
    --------
    >>> print(mx.io.DataBatch(data=[mx.nd.ones((2, 3))]))
    DataBatch: data shapes: [(2, 3)] label shapes: None
    """

    def __init__(self, data, label=None, pad=None, index=None,
                 bucket_key=None, provide_data=None, provide_label=None):
        if data is not None and not isinstance(data, (list, tuple)):
            raise MXNetTypeError(f"Data must be list of NDArrays, got {type(data).__name__}")
        if label is not None and not isinstance(label, (list, tuple)):
            raise MXNetTypeError(f"Label must be list of NDArrays, got {type(label).__name__}")
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self):
        data_shapes = [d.shape for d in self.data]
        label_shapes = [lab.shape for lab in self.label] if self.label else None
        return f"{type(self).__name__}: data shapes: {data_shapes} label shapes: {label_shapes}"


class DataIter:
    """Base class of data iterators: Python iterators over DataBatch with ``reset``.

    Subclasses implement ``iter_next`` and ``getdata``/``getlabel``/``getpad`` (or override
    ``next``), and expose ``provide_data`` / ``provide_label`` DataDesc lists.
    """

    def __init__(self, batch_size=0):
        self.batch_size = batch_size

    def __iter__(self):
        return self

    def reset(self):
        """Reset the iterator to the beginning of the data."""

    def next(self):
        """The next DataBatch; raises StopIteration at the end of the data."""
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(),
                             pad=self.getpad(), index=self.getindex())
        raise StopIteration

    def __next__(self):
        return self.next()

    def iter_next(self):
        """Move to the next batch; False at the end."""

    def getdata(self):
        """Data of the current batch."""

    def getlabel(self):
        """Label of the current batch."""

    def getindex(self):
        """Indices of the examples of the current batch (None if unknown)."""
        return None

    def getpad(self):
        """Number of padding examples in the current batch."""


class _BatchHolder(DataIter):
    """An iterator whose getters read the batch it holds in ``current_batch``."""

    def getdata(self):
        return self.current_batch.data

    def getlabel(self):
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self):
        return self.current_batch.pad


class ResizeIter(_BatchHolder):
    """Resize a data iterator to ``size`` batches per epoch (restarting it when it runs out).

    Examples
    --------
    >>> nd_iter = mx.io.NDArrayIter(mx.nd.ones((100, 10)), batch_size=25)
    >>> len(list(mx.io.ResizeIter(nd_iter, 6)))
    6
    """

    def __init__(self, data_iter, size, reset_internal=True):
        super().__init__()
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        self.batch_size = data_iter.batch_size
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self):
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self):
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True


def _prefetch_worker(it, taken, ready, slot, state):
    """Thread body: fetch one batch each time ``taken`` is set, then signal ``ready``.

    It holds no reference to the PrefetchingIter, so that one can be garbage collected
    (its ``__del__`` stops the thread). Errors are handed over to be raised by iter_next.
    """
    while True:
        taken.wait()
        if not state["running"]:
            return
        try:
            slot[0] = it.next()
        except StopIteration:
            slot[0] = None
        except Exception as err:  # noqa: BLE001  (re-raised in the consumer thread)
            slot[0] = err
        taken.clear()
        ready.set()


class PrefetchingIter(_BatchHolder):
    """Prefetch batches of one or more iterators in background threads.

    The batches of the iterators are concatenated (data lists, then label lists);
    ``rename_data`` / ``rename_label`` give per-iterator ``{old_name: new_name}`` maps.

    Examples
    --------
    >>> it1 = mx.io.NDArrayIter({'data': mx.nd.ones((100, 10))}, batch_size=25)
    >>> it2 = mx.io.NDArrayIter({'data': mx.nd.ones((100, 10))}, batch_size=25)
    >>> piter = mx.io.PrefetchingIter([it1, it2],
    ...                               rename_data=[{'data': 'data_1'}, {'data': 'data_2'}])
    >>> [d.name for d in piter.provide_data]
    ['data_1', 'data_2']
    """

    def __init__(self, iters, rename_data=None, rename_label=None):
        super().__init__()
        if not isinstance(iters, list):
            iters = [iters]
        if not iters:
            raise MXNetValueError("PrefetchingIter needs at least one iterator")
        self.n_iter = len(iters)
        self.iters = iters
        self.rename_data = rename_data
        self.rename_label = rename_label
        self.batch_size = self.provide_data[0][1][0]
        self.data_ready = [threading.Event() for _ in range(self.n_iter)]
        self.data_taken = [threading.Event() for _ in range(self.n_iter)]
        for event in self.data_taken:
            event.set()
        self._state = {"running": True}
        self.current_batch = None
        self.next_batch = [[None] for _ in range(self.n_iter)]
        self.prefetch_threads = [
            threading.Thread(target=_prefetch_worker, daemon=True,
                             args=(it, taken, ready, slot, self._state))
            for it, taken, ready, slot in zip(self.iters, self.data_taken, self.data_ready,
                                              self.next_batch)]
        for thread in self.prefetch_threads:
            thread.start()

    def __del__(self):
        state = getattr(self, "_state", None)
        if state is None:
            return
        state["running"] = False
        for event in self.data_taken:
            event.set()
        for thread in self.prefetch_threads:
            thread.join()

    @staticmethod
    def _renamed(descs_per_iter, renames):
        if renames is None:
            return list(itertools.chain.from_iterable(descs_per_iter))
        out = []
        for rename, descs in zip(renames, descs_per_iter):
            for x in descs:
                x = x if isinstance(x, DataDesc) else DataDesc(*x)
                out.append(DataDesc(rename[x.name], x.shape, x.dtype, x.layout))
        return out

    @property
    def provide_data(self):
        return self._renamed([i.provide_data for i in self.iters], self.rename_data)

    @property
    def provide_label(self):
        return self._renamed([i.provide_label for i in self.iters], self.rename_label)

    def reset(self):
        for event in self.data_ready:
            event.wait()
        for it in self.iters:
            it.reset()
        for event in self.data_ready:
            event.clear()
        for event in self.data_taken:
            event.set()

    def iter_next(self):
        for event in self.data_ready:
            event.wait()
        batches = [slot[0] for slot in self.next_batch]
        for batch in batches:
            if isinstance(batch, Exception):
                raise batch
        if batches[0] is None:
            if any(b is not None for b in batches):
                raise MXNetError("Number of entry mismatches between iterators")
            return False
        if any(b is None or b.pad != batches[0].pad for b in batches):
            raise MXNetError("Number of entry mismatches between iterators")
        chain = itertools.chain.from_iterable
        self.current_batch = DataBatch(list(chain(b.data for b in batches)),
                                       list(chain(b.label for b in batches)),
                                       batches[0].pad, batches[0].index,
                                       provide_data=self.provide_data,
                                       provide_label=self.provide_label)
        for event in self.data_ready:
            event.clear()
        for event in self.data_taken:
            event.set()
        return True

    def next(self):
        if self.iter_next():
            return self.current_batch
        raise StopIteration

