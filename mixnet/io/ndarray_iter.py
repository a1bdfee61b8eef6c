"""NDArrayIter: batches over in-memory arrays with pad / discard / roll_over last batches."""
import numpy as np

from ..base import MXNetValueError
from ..ndarray import NDArray, array, concat, tile
from .io import DataBatch, DataDesc, DataIter, scalar_type
from .utils import (_init_data, _has_instance, _getdata_by_idx, _slice_along_batch_axis,
                    is_h5py_dataset, is_scipy_csr)

__all__ = ["NDArrayIter"]

_LAST_BATCH_HANDLES = ("pad", "discard", "roll_over")


class NDArrayIter(DataIter):
    """Iterate over ``mx.nd.NDArray``, ``numpy.ndarray``, ``h5py.Dataset`` or
    ``scipy.sparse.csr_matrix`` data (sparse only with ``last_batch_handle='discard'``;
    its batches come out dense).

    Parameters
    ----------
    data : array, list of arrays, or dict of name -> array
    label : array, list of arrays, or dict of name -> array, optional
    batch_size : int
    shuffle : bool
        Shuffle the examples at every reset (not for h5py datasets).
    last_batch_handle : {'pad', 'discard', 'roll_over'}
        'pad' fills the last batch with examples from the beginning; 'discard' drops it;
        'roll_over' carries the remaining examples over into the first batch of the next epoch.
    data_name, label_name : str
        Names used when data/label are not dicts.
    layout : str
        Data layout; the batch axis is the position of 'N'.

    Examples
    --------
    >>> it = mx.io.NDArrayIter(np.arange(40).reshape((10, 2, 2)), np.ones([10, 1]), 3,
    ...                        last_batch_handle='discard')
    >>> [b.data[0].shape for b in it]
    [(3, 2, 2), (3, 2, 2), (3, 2, 2)]
    >>> it.provide_label
    [DataDesc[softmax_label,(3, 1),<class 'numpy.float32'>,NCHW]]
    """

    def __init__(self, data, label=None, batch_size=1, shuffle=False,
                 last_batch_handle="pad", data_name="data",
                 label_name="softmax_label", layout="NCHW"):
        super().__init__(batch_size)
        if last_batch_handle not in _LAST_BATCH_HANDLES:
            raise MXNetValueError(f"NDArrayIter: last_batch_handle must be one of "
                                  f"{_LAST_BATCH_HANDLES}, got {last_batch_handle!r}")
        data, label = _csr_as_scipy(data), _csr_as_scipy(label)
        self.data = _init_data(data, allow_empty=False, default_name=data_name)
        self.label = _init_data(label, allow_empty=True, default_name=label_name)
        if ((_has_instance(self.data, is_scipy_csr) or _has_instance(self.label, is_scipy_csr))
                and last_batch_handle != "discard"):
            raise NotImplementedError("`NDArrayIter` only supports ``CSRNDArray`` "
                                      "with `last_batch_handle` set to `discard`.")
        self.idx = np.arange(self.data[0][1].shape[0])
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.batch_size = batch_size
        self.cursor = -self.batch_size
        self.num_data = self.idx.shape[0]
        self.reset()   # shuffles
        self.data_list = [x[1] for x in self.data] + [x[1] for x in self.label]
        self.num_source = len(self.data_list)
        # 'roll_over': the incomplete last batch, kept for the first batch of the next epoch
        self._cache_data = None
        self._cache_label = None
        self.layout = layout

    def _descs(self, sources):
        batch_axis = self.layout.find("N")
        return [DataDesc(k, tuple(v.shape[:batch_axis]) + (self.batch_size,)
                         + tuple(v.shape[batch_axis + 1:]),
                         scalar_type(v.dtype), layout=self.layout)
                for k, v in sources]

    @property
    def provide_data(self):
        """The name and shape of data provided by this iterator."""
        return self._descs(self.data)

    @property
    def provide_label(self):
        """The name and shape of label provided by this iterator."""
        return self._descs(self.label)

    def hard_reset(self):
        """Ignore roll over data and set to start."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._cache_data = None
        self._cache_label = None

    def reset(self):
        """Reset to the beginning; with 'roll_over' after an incomplete last batch the cursor
        starts before 0, so that the first batch completes the cached examples."""
        if self.shuffle:
            self._shuffle_data()
        if self.last_batch_handle == "roll_over" and \
                self.num_data - self.batch_size < self.cursor < self.num_data:
            # (cursor - num_data) examples are cached; the next batch takes the rest
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size

    def iter_next(self):
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self):
        if not self.iter_next():
            raise StopIteration
        data = self.getdata()
        label = self.getlabel()
        if data[0].shape[self.layout.find("N")] != self.batch_size:
            # an incomplete last batch ('discard' / 'roll_over'): keep it for the next epoch
            self._cache_data = data
            self._cache_label = label
            raise StopIteration
        return DataBatch(data=data, label=label, pad=self.getpad(), index=None)

    def _getdata(self, data_source, start=None, end=None):
        """Examples [start, end) of every source, as NDArrays."""
        if start is None and end is None:
            raise MXNetValueError("should at least specify start or end")
        start = start if start is not None else 0
        if end is None:
            end = data_source[0][1].shape[0] if data_source else 0
        s = slice(start, end)
        return [self._slice(x[1], s) for x in data_source]

    def _slice(self, source, s):
        if isinstance(source, NDArray):
            return _slice_along_batch_axis(source, s, self.layout.find("N"))
        if is_scipy_csr(source):
            return array(source[s].toarray())
        if is_h5py_dataset(source):
            # h5py reads only increasing indices: read sorted, then restore the order
            idx = self.idx[s]
            order = np.argsort(idx)
            rows = source[np.sort(idx).tolist()]
            return array(rows[np.argsort(order)])
        return array(source[s])

    def _concat(self, first_data, second_data):
        if not first_data or not second_data:
            return first_data if first_data else second_data
        if len(first_data) != len(second_data):
            raise MXNetValueError("data source should contain the same size")
        return [concat(a, b, dim=self.layout.find("N")) for a, b in zip(first_data, second_data)]

    @staticmethod
    def _tile(data, repeats):
        return [tile(datum, reps=(repeats,) + (1,) * (datum.ndim - 1)) for datum in data]

    def _batchify(self, data_source):
        """The current batch of ``data_source`` (data or label list)."""
        if self.cursor >= self.num_data:
            raise MXNetValueError("DataIter needs reset.")
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return self._rolled_over_batch(data_source)
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self._padded_batch(data_source)
        end = min(self.cursor + self.batch_size, self.num_data)
        return self._getdata(data_source, self.cursor, end)

    def _rolled_over_batch(self, data_source):
        # getdata consumes the data cache, then getlabel the label cache
        if self._cache_data is None and self._cache_label is None:
            raise MXNetValueError("next epoch should have cached data")
        second = self._getdata(data_source, end=self.cursor + self.batch_size)
        if self._cache_data is not None:
            cache, self._cache_data = self._cache_data, None
        else:
            cache, self._cache_label = self._cache_label, None
        return self._concat(cache, second)

    def _padded_batch(self, data_source):
        pad = self.batch_size - self.num_data + self.cursor
        first = self._getdata(data_source, start=self.cursor)
        if pad > self.num_data:
            # the batch is more than twice the data: repeat all of it, then a remainder
            second = self._tile(self._getdata(data_source, end=self.num_data),
                                pad // self.num_data)
            if pad % self.num_data != 0:
                second = self._concat(second,
                                      self._getdata(data_source, end=pad % self.num_data))
        else:
            second = self._getdata(data_source, end=pad)
        return self._concat(first, second)

    def getdata(self):
        return self._batchify(self.data)

    def getlabel(self):
        return self._batchify(self.label)

    def getpad(self):
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return -self.cursor
        return 0

    def _shuffle_data(self):
        """Shuffle ``idx`` (global NumPy RNG) and reorder the sources by it."""
        np.random.shuffle(self.idx)
        self.data = _getdata_by_idx(self.data, self.idx)
        self.label = _getdata_by_idx(self.label, self.idx)


def _csr_as_scipy(source):
    """CSRNDArray sources take the scipy CSR path (batches are row slices)."""
    if getattr(source, "stype", "default") == "csr":
        return source.asscipy()
    if isinstance(source, dict):
        return {k: _csr_as_scipy(v) for k, v in source.items()}
    if isinstance(source, (list, tuple)):
        return type(source)(_csr_as_scipy(v) for v in source)
    return source
