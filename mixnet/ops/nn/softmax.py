"""softmax, log_softmax, softmin (with temperature, output dtype and, for softmax, an
optional length mask), and their fused backward ops.

Each backward op has its own gradient, so higher orders work: with y the output,
g the output gradient and T the temperature,
``_backward_softmax(g, y) = (g - sum(g * y)) * y / T`` and
``_backward_log_softmax(g, y) = (g - exp(y) * sum(g)) / T``; softmin(x) is softmax(-x).
"""
import numpy as np

from ..infer import AxisError, InferTypeError, ShapeError
from ..param import Bool, Dtype, Float, Int, Param
from ..reduce import fmt_shape
from ..registry import op

__all__ = ["SoftmaxParam"]


class SoftmaxParam(Param):
    axis = Int(-1, "The axis along which to compute softmax.")
    temperature = Float(None, "Temperature parameter in softmax")
    dtype = Dtype(None, "DType of the output in case this can't be inferred. Defaults to "
                  "the same as input's dtype if not defined (dtype=None).",
                  choices=("float16", "float32", "float64"))
    use_length = Bool(False, "Whether to use the length input as a mask over the data input.",
                      optional=True)


def _axis(axis, shape):
    ndim = len(shape)
    if not -ndim <= axis < ndim:
        raise AxisError(f"axis {axis} exceeds the input dimension of {ndim}")
    return axis % ndim


def _softmax_shape(params, in_shapes):
    has_length = len(in_shapes) > 1 and in_shapes[1] is not None
    if has_length and not params.use_length:
        raise ShapeError("a length input was given but use_length is False")
    if params.use_length and len(in_shapes) < 2:
        raise ShapeError("use_length=True needs the length input (only softmax takes one)")
    data = in_shapes[0]
    if data is None:
        return [None]
    axis = _axis(params.axis, data)
    if params.use_length:
        expected = tuple(d for i, d in enumerate(data) if i != axis)
        if in_shapes[1] is None:
            in_shapes[1] = expected
        elif tuple(in_shapes[1]) != expected:
            raise ShapeError(f"Shape inconsistent, Provided = {fmt_shape(in_shapes[1])}, "
                             f"inferred shape={fmt_shape(expected)} (length must be the "
                             f"data shape without axis {axis})")
    return [tuple(data)]


def _softmax_type(params, in_types):
    data = in_types[0]
    if data is not None and np.dtype(data).kind != "f":
        raise InferTypeError(f"This operation only support floating point types, not {data}")
    if len(in_types) > 1 and in_types[1] is not None and np.dtype(in_types[1]).kind not in "iu":
        raise InferTypeError(f"This operation only support integer types, not {in_types[1]} "
                             "(length)")
    if params.dtype is not None:
        return [np.dtype(params.dtype)]
    return [data]


def _shifted(xp, params, data, length, sign=1):
    """sign * data / T, masked to -inf past ``length``, minus its max along the axis."""
    acc = np.result_type(data.dtype, np.float32, np.dtype(params.dtype or data.dtype))
    x = data.astype(acc)
    scale = sign / (params.temperature or 1.0)
    if scale != 1:
        x = x * acc.type(scale)
    axis = params.axis % data.ndim
    if length is not None:
        n = data.shape[axis]
        pos = xp.arange(n).reshape([n if d == axis else 1 for d in range(data.ndim)])
        x = xp.where(pos < xp.expand_dims(length, axis), x, -xp.inf)
    top = xp.max(x, axis=axis, keepdims=True)
    return x - xp.where(xp.isfinite(top), top, 0), axis


def _softmax_of(xp, params, data, length, sign):
    z, axis = _shifted(xp, params, data, length, sign)
    e = xp.exp(z)
    total = xp.sum(e, axis=axis, keepdims=True)
    return e / xp.where(total > 0, total, 1)   # a row of length 0 gives zeros, as MXNet


def _list_inputs(params):
    return ("data", "length") if params.use_length else ("data",)


def softmax_op(name, inputs=("data",)):
    return op(name, inputs=inputs, params=SoftmaxParam, infer_shape=_softmax_shape,
              list_inputs=_list_inputs if "length" in inputs else None,
              infer_type=_softmax_type)


@softmax_op("softmax", inputs=("data", "length"))
def softmax(xp, params, data, length=None):
    """Applies the softmax function: exp(x / T) / sum(exp(x / T)) along an axis."""
    return _softmax_of(xp, params, data, length if params.use_length else None, 1)


@softmax_op("softmin")
def softmin(xp, params, data):
    """Applies the softmin function: softmax of -x / T along an axis."""
    return _softmax_of(xp, params, data, None, -1)


@softmax_op("log_softmax")
def log_softmax(xp, params, data):
    """Computes the log softmax of the input along an axis."""
    z, axis = _shifted(xp, params, data, None)
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


def _input_grads(F, node, g):
    """``g`` in the input's dtype, and no gradient for the length input."""
    if node.params.dtype is not None:
        g = F._cast_like(g, node.inputs[0])
    return [g] + [None] * (len(node.inputs) - 1)


def _bw_params(p):
    return {"axis": p.axis, "temperature": p.temperature}


@softmax.gradient
def _(F, node, ograds):
    return _input_grads(F, node, F._backward_softmax(ograds[0], node.output(0),
                                                     **_bw_params(node.params)))


@softmin.gradient
def _(F, node, ograds):
    g = F._backward_softmax(ograds[0], node.output(0), **_bw_params(node.params))
    return _input_grads(F, node, F.negative(g))


@log_softmax.gradient
def _(F, node, ograds):
    return _input_grads(F, node, F._backward_log_softmax(ograds[0], node.output(0),
                                                         **_bw_params(node.params)))


# --- fused backward ops -----------------------------------------------------------------
class SoftmaxBackwardParam(Param):
    axis = Int(-1, "The axis along which softmax was computed.")
    temperature = Float(None, "Temperature parameter of the forward softmax")


def backward_op(name):
    return op(name, inputs=("ograd", "output"), params=SoftmaxBackwardParam,
              infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[1]])


def _inv_temperature(params):
    return 1.0 / (params.temperature or 1.0)


@backward_op("_backward_softmax")
def _backward_softmax(xp, params, ograd, output):
    """Gradient of softmax from its output: (g - sum(g * y)) * y / T."""
    dot = xp.sum(ograd * output, axis=params.axis, keepdims=True)
    return (ograd - dot) * output * output.dtype.type(_inv_temperature(params))


@_backward_softmax.gradient
def _(F, node, ograds):
    # d/dg = _backward_softmax(gg, y);  d/dy = (gg * (g - sum(g y)) - g * sum(gg y)) / T
    g, y = node.inputs
    gg, p = ograds[0], node.params
    s = F.sum(F.elemwise_mul(g, y), axis=p.axis, keepdims=True)
    s_gg = F.sum(F.elemwise_mul(gg, y), axis=p.axis, keepdims=True)
    d_y = F.broadcast_sub(F.elemwise_mul(gg, F.broadcast_sub(g, s)), F.broadcast_mul(g, s_gg))
    return [F._backward_softmax(gg, y, **_bw_params(p)),
            F._mul_scalar(d_y, scalar=_inv_temperature(p))]


@backward_op("_backward_log_softmax")
def _backward_log_softmax(xp, params, ograd, output):
    """Gradient of log_softmax from its output: (g - exp(y) * sum(g)) / T."""
    total = xp.sum(ograd, axis=params.axis, keepdims=True)
    return (ograd - xp.exp(output) * total) * output.dtype.type(_inv_temperature(params))


@_backward_log_softmax.gradient
def _(F, node, ograds):
    # d/dg = (gg - sum(gg * exp(y))) / T;  d/dy = -gg * exp(y) * sum(g) / T
    g, y = node.inputs
    gg, p = ograds[0], node.params
    gg_e = F.elemwise_mul(gg, F.exp(y))
    d_g = F.broadcast_sub(gg, F.sum(gg_e, axis=p.axis, keepdims=True))
    d_y = F.broadcast_mul(gg_e, F.sum(g, axis=p.axis, keepdims=True))
    return [F._mul_scalar(d_g, scalar=_inv_temperature(p)),
            F._mul_scalar(d_y, scalar=-_inv_temperature(p))]
