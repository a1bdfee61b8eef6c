"""Ops whose body is a Python callback over NDArrays (``autograd.Function``).

They run on the calling thread at the NDArray level (``imperative=True``), not as an
engine kernel: user code inside them issues ops and may wait on results.
"""
from .infer import ShapeError
from .param import Param, Any, Int
from .registry import op

__all__ = ["CallbackParam"]


class CallbackParam(Param):
    num_args = Int(doc="Number of array inputs")
    num_outputs = Int(1, "Number of outputs")
    callback = Any(doc="Python object with forward_arrays(inputs) / backward_arrays(grads)")


def _unknown_shape(params, in_shapes):
    raise ShapeError("shapes of a Python callback op are known only after it runs")


def _unknown_type(params, in_types):
    return [None] * params.num_outputs


@op("_CustomFunction", params=CallbackParam, variadic="num_args", inputs=("data",),
    num_outputs=lambda p: p.num_outputs, infer_shape=_unknown_shape, infer_type=_unknown_type)
def custom_function(xp, params, *inputs):
    """Forward of an ``autograd.Function`` (run by the callback, never as a kernel)."""
    raise NotImplementedError("_CustomFunction runs through its callback")


custom_function.imperative = lambda params, inputs: params.callback.forward_arrays(inputs)


@custom_function.gradient
def _(F, node, ograds):
    p = node.params
    grads = F._CustomFunctionBackward(*ograds, num_args=len(ograds),
                                      num_outputs=len(node.inputs), callback=p.callback)
    return [grads] if len(node.inputs) == 1 else list(grads)


@op("_CustomFunctionBackward", params=CallbackParam, variadic="num_args", inputs=("data",),
    num_outputs=lambda p: p.num_outputs, infer_shape=_unknown_shape, infer_type=_unknown_type,
    grad=None)
def custom_function_backward(xp, params, *ograds):
    """Backward of an ``autograd.Function`` (run by the callback)."""
    raise NotImplementedError("_CustomFunctionBackward runs through its callback")


custom_function_backward.imperative = \
    lambda params, inputs: params.callback.backward_arrays(inputs)
