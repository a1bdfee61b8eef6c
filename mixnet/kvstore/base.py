"""``KVStoreBase`` (the interface every kvstore implements), the registry behind
``mx.kv.create`` and the key/value argument parsing that all stores share.

Layer 10: imports ndarray and below.
"""
import warnings

from ..base import (
    MXNetError,
    MXNetTypeError,
    MXNetValueError,
    integer_types,
    string_types,
)
from ..ndarray import NDArray

__all__ = ["KVStoreBase", "create", "register_family"]


class KVStoreBase:
    """An abstract key-value store interface for data parallel training.

    Subclasses registered with ``KVStoreBase.register`` can be created by name with
    ``mx.kv.create(name)``, as in MXNet.
    """

    OPTIMIZER = "optimizer"

    # name (the class name, lower case) -> class, filled by ``register``
    kv_registry = {}

    def broadcast(self, key, value, out, priority=0):
        """Broadcast ``value`` of ``key`` from rank 0 to all ranks and store it in ``out``."""
        raise NotImplementedError()

    def pushpull(self, key, value, out=None, priority=0):
        """Push ``value`` (summed over devices and workers) then pull the result into ``out``
        (into ``value`` when ``out`` is None)."""
        raise NotImplementedError()

    def set_optimizer(self, optimizer):
        """Register an optimizer: pushed gradients then update the stored weights."""
        raise NotImplementedError()

    def is_capable(self, capability):
        """Whether this kvstore supports ``capability`` (e.g. ``KVStoreBase.OPTIMIZER``)."""
        raise NotImplementedError()

    def save_optimizer_states(self, fname, dump_optimizer=False):
        """Save the optimizer (updater) states to ``fname``; with ``dump_optimizer`` also the
        optimizer itself (learning rate, schedule)."""
        raise NotImplementedError()

    def load_optimizer_states(self, fname):
        """Load the optimizer (updater) states from ``fname``."""
        raise NotImplementedError()

    @property
    def type(self):
        """The type of this kvstore (the name it was created with)."""
        raise NotImplementedError()

    @property
    def rank(self):
        """The rank of this worker, in ``[0, num_workers)``."""
        raise NotImplementedError()

    @property
    def num_workers(self):
        """The number of workers."""
        raise NotImplementedError()

    @staticmethod
    def register(klass):
        """Register a kvstore class under its lower-cased class name.

        Examples
        --------
        >>> @mx.kvstore.KVStoreBase.register
        ... class MyKVStore(mx.kvstore.KVStoreBase):
        ...     pass
        >>> type(mx.kv.create('MyKVStore')).__name__
        'MyKVStore'
        """
        if not isinstance(klass, type):
            raise MXNetTypeError(f"KVStoreBase.register expects a class, got {klass!r}")
        name = klass.__name__.lower()
        old = KVStoreBase.kv_registry.get(name)
        if old is not None:
            warnings.warn(f"WARNING: New kvstore {klass.__module__}.{klass.__name__} is "
                          f"overriding existing kvstore {old.__module__}.{old.__name__}")
        KVStoreBase.kv_registry[name] = klass
        return klass


# --- name families -----------------------------------------------------------------
# MXNet's native store is chosen by words in the name: 'dist...' is the parameter-server
# store, 'nccl...' the NCCL one, anything else the single-process store ('local', 'device',
# 'local_allreduce_cpu', ...). A family maps such a word to a factory ``f(name) -> store``,
# or to None while mixnet has no implementation (create() then says so).
_FAMILIES = {
    "dist": None,
    "nccl": None,
}
_MISSING = {
    "dist": "is a distributed kvstore: it needs mixnet's distributed backend (one process "
            "per worker), which is not installed or not implemented yet. In one process use "
            "'local' or 'device'",
    "nccl": "needs NCCL, which mixnet does not use. Use 'device' instead",
}
_default_factory = None   # the single-process store, set by kvstore/local.py


def register_family(word, factory):
    """Make ``create(name)`` build ``factory(name)`` for every name containing ``word``
    (e.g. ``register_family('dist', RayKVStore)`` for dist_sync / dist_async /
    dist_device_sync). ``word=None`` sets the default (single-process) factory."""
    global _default_factory
    if word is None:
        _default_factory = factory
    else:
        _FAMILIES[word] = factory


def create(name="local"):
    """Create a new KVStore.

    Parameters
    ----------
    name : str
        'local' (merge on CPU, update there) or 'device' (merge on the first value's device)
        in one process; the 'dist_*' stores need the distributed backend. Names registered with
        ``KVStoreBase.register`` (e.g. 'teststore') create those classes.

    Examples
    --------
    >>> kv = mx.kv.create('local')
    >>> kv.type
    'local'
    """
    if not isinstance(name, string_types):
        raise MXNetTypeError(f"name must be a string, got {type(name).__name__}")
    name = name.lower()
    if name in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[name]()
    for word, factory in _FAMILIES.items():
        if word in name:
            if factory is None:
                raise MXNetError(f"kvstore '{name}' {_MISSING[word]}")
            return factory(name)
    return _default_factory(name)


# --- key/value arguments ---------------------------------------------------------
def _check_key(key):
    """``key`` as an int or a str; MXNet accepts nothing else."""
    if isinstance(key, bool) or not isinstance(key, integer_types + string_types):
        raise MXNetTypeError(f"unexpected type for keys: {type(key).__name__} ({key!r}); "
                             f"keys are int or str")
    return key if isinstance(key, str) else int(key)


def _as_arrays(key, value, what):
    """``value`` (an NDArray or a list of them, one per device) as a list of NDArrays."""
    arrays = [value] if isinstance(value, NDArray) else value
    if not isinstance(arrays, (list, tuple)) or \
            not all(isinstance(a, NDArray) for a in arrays):
        raise MXNetTypeError(f"{what} for key {key!r} must be an NDArray or a list of "
                             f"NDArrays, got {type(value).__name__}")
    return list(arrays)


def key_value_pairs(keys, values, what="value"):
    """MXNet's key/value argument forms as a list of ``(key, [NDArray, ...])``.

    ``keys`` is one key or a list of keys; for one key ``values`` is an NDArray or a list
    (one per device); for a list of keys, a list with one such entry per key.
    """
    if not isinstance(keys, (list, tuple)):
        key = _check_key(keys)
        return [(key, _as_arrays(key, values, what))]
    if not isinstance(values, (list, tuple)) or len(values) != len(keys):
        got = len(values) if isinstance(values, (list, tuple)) else type(values).__name__
        raise MXNetValueError(f"{len(keys)} keys need a list of {len(keys)} {what}s, got {got}")
    pairs = []
    for key, value in zip(keys, values):
        key = _check_key(key)
        pairs.append((key, _as_arrays(key, value, what)))
    if len({isinstance(k, str) for k, _ in pairs}) > 1:
        raise MXNetTypeError(f"inconsistent types of keys detected: {list(keys)} mixes int "
                             f"and str keys")
    return pairs
