"""'teststore': MXNet's minimal KVStoreBase subclass for testing the registry (it only
sums and broadcasts; it cannot hold an optimizer). Layer 10."""
from .. import ndarray as nd
from ..base import MXNetValueError
from ..ndarray import NDArray
from .base import KVStoreBase

__all__ = ["TestStore"]


@KVStoreBase.register
class TestStore(KVStoreBase):
    """A key-value store for testing: ``mx.kv.create('teststore')``."""

    def broadcast(self, key, value, out, priority=0):
        """Copy ``value`` into ``out`` (an NDArray or a list of them)."""
        for o in (out if isinstance(out, list) else [out]):
            o[:] = value

    def pushpull(self, key, value, out=None, priority=0):
        """Sum ``value`` (a list, one per device) and write the sum into ``out`` (or back
        into ``value``)."""
        if isinstance(value, NDArray):
            total, targets = value, ([] if out is None else out)
        else:
            ctx = value[0].context
            total = nd.add_n(*[v.as_in_context(ctx) for v in value]) if len(value) > 1 \
                else value[0].copy()
            targets = value if out is None else out
        for o in (targets if isinstance(targets, list) else [targets]):
            o[:] = total

    @staticmethod
    def is_capable(capability):
        """No capability: in particular no optimizer on the store."""
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return False
        raise MXNetValueError(f"Unknown capability: {capability}")

    @property
    def type(self):
        return "teststore"

    @property
    def rank(self):
        return 0

    @property
    def num_workers(self):
        return 1

    def set_optimizer(self, optimizer):
        raise NotImplementedError()

    def save_optimizer_states(self, fname, dump_optimizer=False):
        raise NotImplementedError()

    def load_optimizer_states(self, fname):
        raise NotImplementedError()
