"""``autograd.Function``: user-defined differentiable functions with custom backward."""
from .graph import tape
from .ndarray import NDArray
from .ops import registry

__all__ = ["Function"]


class Function:
    """Customize differentiation in autograd.

    Subclass it and define ``forward(self, *inputs)`` and ``backward(self, *out_grads)``
    on NDArrays; use ``save_for_backward`` to keep arrays for backward.

    Examples
    --------
    >>> class sigmoid(mx.autograd.Function):
    ...     def forward(self, x):
    ...         y = 1 / (1 + mx.nd.exp(-x))
    ...         self.save_for_backward(y)
    ...         return y
    ...     def backward(self, dy):
    ...         y, = self.saved_tensors
    ...         return dy * y * (1 - y)
    """

    def __init__(self):
        self._used = False
        self.saved_tensors = ()

    def save_for_backward(self, *args):
        self.saved_tensors = args

    def forward(self, *inputs):
        raise NotImplementedError

    def backward(self, *output_grads):
        raise NotImplementedError

    def __call__(self, *inputs):
        with _paused():
            outputs = self.forward(*inputs)
        single = isinstance(outputs, NDArray)
        outs = [outputs] if single else list(outputs)
        if tape.is_recording() and any(x._entry is not None for x in inputs):
            op = registry.get("_CustomFunction")
            params = op.make_params({"num_args": len(inputs), "num_outputs": len(outs),
                                     "callback": _Callback(self, len(inputs))})
            tape.record_op(op, params, list(inputs), outs)
        return outputs

    # called by the _CustomFunctionBackward op during backward
    def _run_backward(self, grads):
        with _paused():
            res = self.backward(*grads)
        return [res] if isinstance(res, NDArray) else list(res)


class _Callback:
    """Bridges the callback ops to the Function (hashable by identity)."""

    def __init__(self, func, num_inputs):
        self.func = func
        self.num_inputs = num_inputs

    def forward_arrays(self, inputs):
        raise RuntimeError("autograd.Function forward is only run by calling the Function")

    def backward_arrays(self, grads):
        return self.func._run_backward(grads)


class _paused:
    def __enter__(self):
        self._prev = tape.set_recording(False)

    def __exit__(self, *exc):
        tape.set_recording(self._prev)
