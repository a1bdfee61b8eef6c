"""``Updater``: applies an optimizer to (index, grad, weight) triples, creating and
keeping each weight's state; the object a KVStore or Module calls.

Layer 9.
"""
import pickle

from ..base import py_str
from ..ndarray import NDArray

__all__ = ["Updater", "get_updater"]


class Updater(object):
    """Updater for kvstore: ``updater(index, grad, weight)`` updates ``weight`` in place.

    Examples
    --------
    >>> updater = mx.optimizer.get_updater(mx.optimizer.SGD(learning_rate=0.5))
    >>> w = mx.nd.ones((2,))
    >>> updater(0, mx.nd.ones((2,)), w)
    >>> w.asnumpy()
    array([0.5, 0.5], dtype=float32)
    """

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.states = {}
        self.states_synced = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight):
        """Update ``weight`` (or a list of weights) from ``grad`` at ``index``."""
        if not isinstance(index, (list, tuple)):
            indices, grads, weights = [index], [grad], [weight]
        else:
            indices, grads, weights = list(index), grad, weight
        if weights:
            self.optimizer._set_current_context(weights[0].context.device_id)
        for i, idx in enumerate(indices):
            if isinstance(idx, bytes):   # keys that came through a C-style API
                indices[i] = idx = py_str(idx)
            self._ensure_state(idx, weights[i])
        if self.aggregate_updates:
            self._update_aggregated(indices, weights, grads)
        else:
            for i, w, g in zip(indices, weights, grads):
                self.optimizer.update_multi_precision(i, w, g, self.states[i])

    def _ensure_state(self, idx, weight):
        """Create the state of ``idx`` on first use; move loaded states to the weight's
        context on the first use after ``set_states``."""
        if idx not in self.states:
            self.states[idx] = self.optimizer.create_state_multi_precision(idx, weight)
            self.states_synced[idx] = True
        elif not self.states_synced[idx]:
            self.states[idx] = self.sync_state_context(self.states[idx], weight.context)
            self.states_synced[idx] = True

    def _update_aggregated(self, indices, weights, grads):
        """Update in groups of at most ``optimizer.aggregate_num`` weights of one dtype."""
        by_dtype = {}
        for i, w, g in zip(indices, weights, grads):
            by_dtype.setdefault(w.dtype, []).append((i, w, g))
        step = self.optimizer.aggregate_num
        for group in by_dtype.values():
            for start in range(0, len(group), step):
                idx, ws, gs = zip(*group[start:start + step])
                states = [self.states[i] for i in idx]
                self.optimizer.update_multi_precision(idx, ws, gs, states)

    def sync_state_context(self, state, context):
        """``state`` (an NDArray or nested tuples/lists of them) on ``context``."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(i, context) for i in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def set_states(self, states):
        """Set the states from ``get_states``' bytes (with the optimizer, if saved)."""
        states = pickle.loads(states)
        if isinstance(states, tuple) and len(states) == 2:
            self.states, self.optimizer = states
        else:
            self.states = states
        self.states_synced = dict.fromkeys(self.states.keys(), False)

    def get_states(self, dump_optimizer=False):
        """The states pickled to bytes; with ``dump_optimizer`` also the optimizer (its
        learning rate, schedule, update counts)."""
        return pickle.dumps((self.states, self.optimizer) if dump_optimizer else self.states)


def get_updater(optimizer):
    """The ``Updater`` of ``optimizer`` (what kvstore.set_updater takes)."""
    return Updater(optimizer)
