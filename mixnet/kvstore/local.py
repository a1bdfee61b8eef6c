"""The single-process kvstore: 'local' (merge and update on the CPU) and 'device' (merge
and update on the device of the first pushed value), with MXNet 1.9.1's semantics.

Values are stored dense; a row_sparse value is merged as its dense equivalent, and
row_sparse_pull answers with a RowSparseNDArray of the requested rows.
Layer 10: imports optimizer, ndarray and below.
"""
from collections import OrderedDict

import numpy as np

from .. import ndarray as nd
from .. import optimizer as opt
from ..base import MXNetError, MXNetTypeError, MXNetValueError
from ..context import Context
from ..ndarray import NDArray
from ..ndarray.sparse_array import rows_of
from .base import KVStoreBase, key_value_pairs, register_family
from .compression import GradientCompression

__all__ = ["KVStore"]

# MXNet keeps the 'local' store in pinned CPU memory (CommCPU's pinned_ctx).
_PINNED = Context("cpu_pinned", 0)


def _dense(array):
    return array if array.stype == "default" else array.tostype("default")


def _fresh_on(array, ctx):
    """A copy of ``array`` on ``ctx`` that shares no memory with ``array``."""
    # NOTE: a copy between two CPU contexts may hand over the same host buffer, so the
    # store copies again on the target context; it must never alias a caller's array.
    return array.as_in_context(ctx).copy()


def _write(src, out):
    """Copy dense ``src`` into ``out`` (any context, dtype or storage type)."""
    if out.stype != "default":
        src = src.tostype(out.stype)
    # moved first so that the final copy runs on out's context and really copies
    src.as_in_context(out.context).copyto(out)


def _grouped(pairs):
    """``[(key, arrays)]`` -> {key: all arrays of that key}, in first-seen order (MXNet
    merges every value a call gives for one key)."""
    groups = OrderedDict()
    for key, arrays in pairs:
        groups.setdefault(key, []).extend(arrays)
    return groups


class KVStore(KVStoreBase):
    """A key-value store for synchronizing values over several devices of one process.

    Created by ``mx.kv.create('local')`` or ``mx.kv.create('device')``.

    Examples
    --------
    >>> kv = mx.kv.create('local')
    >>> kv.init(3, mx.nd.ones((2, 3)) * 2)
    >>> kv.push(3, [mx.nd.ones((2, 3), mx.cpu(i)) for i in range(4)])
    >>> a = mx.nd.zeros((2, 3))
    >>> kv.pull(3, out=a)
    >>> a.asnumpy()
    array([[4., 4., 4.],
           [4., 4., 4.]], dtype=float32)
    """

    def __init__(self, name="local"):
        self._type = name
        self._store = {}
        self._key_type = None   # str or int: fixed by the first call, as in MXNet
        self._updater = None
        self._compression = None
        self._on_device = "device" in name

    # --- properties ----------------------------------------------------------------
    @property
    def type(self):
        """The name this kvstore was created with."""
        return self._type

    @property
    def rank(self):
        """Always 0: one process."""
        return 0

    @property
    def num_workers(self):
        """Always 1: one process."""
        return 1

    def is_capable(self, capability):
        """Whether ``capability`` is supported: only ``'optimizer'`` is (and is True)."""
        if str(capability).lower() == KVStoreBase.OPTIMIZER:
            return True
        raise MXNetValueError(f"Unknown capability: {capability}")

    # --- keys --------------------------------------------------------------------
    def _pairs(self, keys, values, what):
        pairs = key_value_pairs(keys, values, what)
        if pairs:
            key_type = str if isinstance(pairs[0][0], str) else int
            if self._key_type is None:
                self._key_type = key_type
            elif self._key_type is not key_type:
                raise MXNetTypeError(
                    f"Mixed key types are not allowed: this kvstore uses "
                    f"{self._key_type.__name__} keys, got {pairs[0][0]!r}")
        return pairs

    def _stored(self, key):
        if key not in self._store:
            raise MXNetError(f"key {key!r} has not been inited (call kv.init first)")
        return self._store[key]

    # --- init / push / pull ----------------------------------------------------------
    def init(self, key, value):
        """Initialize one key or a list of keys with their values (copied into the store).

        Examples
        --------
        >>> kv = mx.kv.create('local')
        >>> kv.init(['w', 'b'], [mx.nd.ones((2, 2)), mx.nd.zeros((2,))])
        """
        for k, arrays in self._pairs(key, value, "value"):
            if k in self._store:
                raise MXNetError(f"duplicate init of key {k}. Please double check if you "
                                 f"called kv.init or kv.broadcast with this key multiple times")
            self._store[k] = _fresh_on(_dense(arrays[0]), self._home(arrays[0]))

    def _home(self, array):
        return array.context if self._on_device else _PINNED

    def push(self, key, value, priority=0):
        """Push values: those of one key (one per device) are summed; with an updater
        (``set_optimizer``) the stored value is updated with the sum, else replaced by it.

        Examples
        --------
        >>> kv = mx.kv.create('local')
        >>> kv.init('w', mx.nd.zeros((2,)))
        >>> kv.push('w', [mx.nd.ones((2,)), mx.nd.ones((2,))])
        >>> out = mx.nd.zeros((2,)); kv.pull('w', out=out); out.asnumpy()
        array([2., 2.], dtype=float32)
        """
        for k, arrays in _grouped(self._pairs(key, value, "value")).items():
            stored = self._stored(k)
            merged = self._reduce(k, arrays)
            if self._updater is None:
                self._store[k] = merged
                continue
            if stored.context != merged.context:   # 'device': update where grads merge
                stored = self._store[k] = _fresh_on(stored, merged.context)
            self._updater(k, merged, stored)

    def _reduce(self, key, arrays):
        """The sum of ``arrays`` on the merge context (a new array, never an input)."""
        dense = [_dense(a) for a in arrays]
        if self._compression is not None:
            dense = [self._compression.compress(key, i, a) for i, a in enumerate(dense)]
        ctx = self._home(arrays[0])
        if len(dense) == 1:
            return _fresh_on(dense[0], ctx)
        return nd.add_n(*[a.as_in_context(ctx) for a in dense])

    def pull(self, key, out=None, priority=0, ignore_sparse=True):
        """Copy the stored value of each key into its output(s) (one per device).

        Sparse outputs are skipped unless ``ignore_sparse=False``.
        """
        if out is None:
            raise MXNetValueError("pull needs `out`: the NDArray(s) to pull into")
        for k, outs in self._pairs(key, out, "out"):
            stored = self._stored(k)
            for o in outs:
                if ignore_sparse and o.stype != "default":
                    continue
                _write(stored, o)

    def pushpull(self, key, value, out=None, priority=0):
        """``push(key, value)`` then ``pull(key, out)`` (into ``value`` when ``out`` is None).

        Examples
        --------
        >>> kv = mx.kv.create('device')
        >>> kv.init(0, mx.nd.zeros((2,)))
        >>> grads = [mx.nd.ones((2,), mx.cpu(0)), mx.nd.ones((2,), mx.cpu(1))]
        >>> kv.pushpull(0, grads)
        >>> grads[1].asnumpy()
        array([2., 2.], dtype=float32)
        """
        self.push(key, value, priority)
        self.pull(key, value if out is None else out, priority)

    def broadcast(self, key, value, out, priority=0):
        """Initialize ``key`` with ``value`` and pull it into ``out`` (each key once)."""
        self.init(key, value)
        self.pull(key, out, priority)

    def row_sparse_pull(self, key, out=None, priority=0, row_ids=None):
        """Pull only the rows ``row_ids`` (1-D, any order, repeats allowed) into row_sparse
        ``out``; the other rows of ``out`` become zero. One ``row_ids`` for several outputs
        pulls once and copies."""
        if out is None or row_ids is None:
            raise MXNetValueError("row_sparse_pull needs `out` and `row_ids`")
        row_ids = [row_ids] if isinstance(row_ids, NDArray) else row_ids
        if not isinstance(row_ids, list):
            raise MXNetTypeError("row_ids should be NDArray or list of NDArray")
        first_out = [out[0]] if isinstance(out, list) and len(row_ids) == 1 else out
        pairs = self._pairs(key, first_out, "out")
        id_pairs = key_value_pairs(key, row_ids, "row_ids")
        if sum(len(o) for _, o in pairs) != sum(len(r) for _, r in id_pairs):
            raise MXNetValueError("the number of row_ids doesn't match the number of values")
        ids = [r for _, rs in id_pairs for r in rs]
        i = 0
        for k, outs in pairs:
            stored = self._stored(k)
            for o in outs:
                if o.stype != "row_sparse":
                    raise MXNetError(f"Expected row_sparse storage type for row_sparse_pull "
                                     f"values, but detected storage type {o.stype}")
                _write(_rows_only(stored, ids[i]), o)
                i += 1
        if first_out is not out:
            for o in out[1:]:
                _write(out[0], o)

    # --- updater and optimizer -----------------------------------------------------
    def _set_updater(self, updater):
        """Set ``updater(key, merged_grad, stored_value)``, called on each push.

        Examples
        --------
        >>> kv = mx.kv.create('local')
        >>> kv.init(3, mx.nd.ones((2,)))
        >>> def update(key, grad, stored):
        ...     stored += grad * 2
        >>> kv._set_updater(update)
        >>> kv.push(3, mx.nd.ones((2,)))
        >>> out = mx.nd.zeros((2,)); kv.pull(3, out=out); out.asnumpy()
        array([3., 3.], dtype=float32)
        """
        if updater is not None and not callable(updater):
            raise MXNetTypeError(f"updater must be callable, got {type(updater).__name__}")
        self._updater = updater

    # kept for code written against MXNet before 1.0, where it was public
    set_updater = _set_updater

    def set_optimizer(self, optimizer):
        """Update stored values with ``optimizer`` on each push.

        Examples
        --------
        >>> kv = mx.kv.create()
        >>> kv.init(3, mx.nd.zeros((2,)))
        >>> kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.01))
        >>> kv.push(3, mx.nd.ones((2,)))
        >>> w = mx.nd.zeros((2,)); kv.pull(3, out=w); w.asnumpy()
        array([-0.01, -0.01], dtype=float32)
        """
        if not isinstance(optimizer, opt.Optimizer):
            raise MXNetTypeError(f"set_optimizer expects an mx.optimizer.Optimizer, got "
                                 f"{type(optimizer).__name__} (use mx.optimizer.create(name))")
        self._set_updater(opt.get_updater(optimizer))

    def _states_updater(self, what):
        if self._updater is None:
            raise MXNetError(f"{what}: this kvstore has no optimizer (call set_optimizer first)")
        if not hasattr(self._updater, "get_states"):
            raise MXNetError(f"{what}: the updater set with _set_updater has no states; "
                             f"use set_optimizer")
        return self._updater

    def save_optimizer_states(self, fname, dump_optimizer=False):
        """Save the updater's states (and the optimizer when ``dump_optimizer``) to ``fname``."""
        states = self._states_updater("save_optimizer_states").get_states(dump_optimizer)
        with open(fname, "wb") as fout:
            fout.write(states)

    def load_optimizer_states(self, fname):
        """Load states saved by ``save_optimizer_states`` into the updater."""
        updater = self._states_updater("load_optimizer_states")
        with open(fname, "rb") as fin:
            updater.set_states(fin.read())

    # --- compression and synchronization --------------------------------------------
    def set_gradient_compression(self, compression_params):
        """Compress pushed gradients, e.g. ``{'type': '2bit', 'threshold': 0.5}``.

        As in MXNet, only 'device' (and distributed) kvstores support it; pushed values are
        then quantized to {-threshold, 0, threshold} per device, with residuals kept.
        """
        if not self._on_device:
            raise MXNetError("Gradient compression is not supported for this type of "
                             f"kvstore ({self._type!r}); use 'device'")
        self._compression = GradientCompression(compression_params)

    def _barrier(self):
        """A global barrier between workers: nothing to wait for in one process."""


def _rows_only(stored, row_ids):
    """The rows ``row_ids`` of ``stored`` as a RowSparseNDArray (the others are zero)."""
    ids = row_ids.asnumpy().astype(np.int64).ravel()
    num_rows = stored.shape[0]
    if ids.size and (ids.min() < 0 or ids.max() >= num_rows):
        raise MXNetValueError(f"row_ids must be in [0, {num_rows}), got {ids.min()}.."
                              f"{ids.max()}")
    return rows_of(stored, nd.array(ids, ctx=stored.context, dtype=np.int64))


register_family(None, KVStore)
