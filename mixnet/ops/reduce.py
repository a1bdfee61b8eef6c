"""Reductions over axes: sum, mean, prod, nansum, nanprod, max, min, norm, argmax, argmin,
argmax_channel, moments.

Shared helpers: ``reduce_axes`` (MXNet's axis checks and messages) and ``reduced_shape``
(keepdims and the legacy rule that a full reduction gives shape (1,) outside np_shape mode).
Gradients broadcast the output gradient back with ``_backward_sum`` / ``_backward_mean``;
these are the transposes of sum / mean, so their own gradients are sum / mean again and
higher orders work.
"""
import numpy as np

from ..util import is_np_shape
from .infer import AxisError, ShapeError
from .param import Bool, Dtype, Int, Param, Shape
from .registry import op

__all__ = [
    "ReduceParam",
    "acc_dtype",
    "fmt_shape",
    "legacy_shape",
    "reduce_axes",
    "reduce_params",
    "reduced_shape",
]


class ReduceParam(Param):
    axis = Shape(None, "The axis or axes along which to perform the reduction. The default, "
                 "axis=(), will compute over all elements into a scalar array with shape "
                 "(1,). If exclude is true, reduction is over the axes NOT in axis.")
    keepdims = Bool(False, "If this is set to True, the reduced axes are left in the result "
                    "as dimension with size one.")
    exclude = Bool(False, "Whether to perform reduction on axis that are NOT in axis instead.")


def fmt_shape(shape):
    """MXNet's way of printing a shape in messages: ``[2,3]``."""
    return "[" + ",".join(str(d) for d in shape) + "]"


def legacy_shape(shape):
    """MXNet 1.x never makes 0-d arrays outside np_shape mode: () becomes (1,)."""
    shape = tuple(shape)
    return (1,) if not shape and not is_np_shape() else shape


def reduce_axes(axis, shape, exclude=False):
    """The sorted, non-negative axes reduced over ``shape`` (MXNet's checks and messages)."""
    ndim = len(shape)
    if not axis:   # None or (): every axis, with or without exclude (as MXNet)
        return tuple(range(ndim))
    axes = sorted(a + ndim if a < 0 else a for a in axis)
    if axes[0] < 0:
        raise AxisError(f"Reduction axis {list(axis)} Exceeds input dimensions "
                        f"{fmt_shape(shape)}")
    if axes[-1] >= ndim:
        raise AxisError(f"Reduction axis {axes[-1]} Exceeds input dimensions {fmt_shape(shape)}")
    if len(set(axes)) != len(axes):
        raise ShapeError(f"Reduction axes have duplicates {fmt_shape(axes)}")
    if exclude:
        return tuple(i for i in range(ndim) if i not in axes)
    return tuple(axes)


def reduced_shape(shape, axes, keepdims):
    """Output shape of reducing ``shape`` over ``axes``."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return legacy_shape(d for i, d in enumerate(shape) if i not in axes)


def acc_dtype(xp, dtype):
    """Accumulation type: float16 sums in float32; other types in their own (MXNet wraps
    integers in their type: a uint8 sum of 5 * 50 is 238)."""
    return xp.float32 if dtype == np.float16 else dtype


def reduce_params(p, axis=None):
    """kwargs of a ReduceParam equal to ``p``'s reduction (for F.sum / F._backward_sum)."""
    return {"axis": p.axis if axis is None else axis, "keepdims": p.keepdims,
            "exclude": getattr(p, "exclude", False)}


def _reduce_shape(params, in_shapes):
    shape = in_shapes[0]
    if shape is None:
        return [None]
    axes = reduce_axes(params.axis, shape, params.exclude)
    return [reduced_shape(shape, axes, params.keepdims)]


def reduction(name, **attrs):
    """Register a reduction ``fwd(xp, data, axes)`` with ReduceParam and its shape rule."""
    def register(fwd):
        def forward(xp, params, data):
            return fwd(xp, data, reduce_axes(params.axis, data.shape, params.exclude))
        forward.__doc__ = fwd.__doc__
        forward.__name__ = fwd.__name__
        return op(name, params=ReduceParam, infer_shape=_reduce_shape, **attrs)(forward)
    return register


@reduction("sum", aliases=("sum_axis",))
def sum_(xp, data, axes):
    """Computes the sum of array elements over given axes."""
    return xp.sum(data, axis=axes, dtype=acc_dtype(xp, data.dtype))


@sum_.gradient
def _(F, node, ograds):
    return [F._backward_sum(ograds[0], node.inputs[0], **reduce_params(node.params))]


@reduction("mean")
def mean(xp, data, axes):
    """Computes the mean of array elements over given axes."""
    if data.dtype.kind in "iu":   # integer sum, then a division truncated toward zero
        n = int(np.prod([data.shape[a] for a in axes]))
        return xp.sum(data, axis=axes, dtype=data.dtype) / max(n, 1)
    return xp.mean(data, axis=axes, dtype=acc_dtype(xp, data.dtype))


@mean.gradient
def _(F, node, ograds):
    return [F._backward_mean(ograds[0], node.inputs[0], **reduce_params(node.params))]


@reduction("prod")
def prod(xp, data, axes):
    """Computes the product of array elements over given axes."""
    return xp.prod(data, axis=axes, dtype=acc_dtype(xp, data.dtype))


@prod.gradient
def _(F, node, ograds):
    # d prod / dx_i = prod / x_i (NaN where x_i == 0 and the product is 0, as MXNet)
    data = node.inputs[0]
    g = F._backward_sum(F.elemwise_mul(ograds[0], node.output(0)), data,
                        **reduce_params(node.params))
    return [F.broadcast_div(g, data)]


@reduction("nansum")
def nansum(xp, data, axes):
    """Computes the sum of array elements over given axes treating NaN as zero."""
    return xp.nansum(data, axis=axes, dtype=acc_dtype(xp, data.dtype))


@nansum.gradient
def _(F, node, ograds):
    data = node.inputs[0]
    g = F._backward_sum(ograds[0], data, **reduce_params(node.params))
    return [F.elemwise_mul(g, F._not_nan_mask(data))]


@reduction("nanprod")
def nanprod(xp, data, axes):
    """Computes the product of array elements over given axes treating NaN as one."""
    return xp.nanprod(data, axis=axes, dtype=acc_dtype(xp, data.dtype))


@nanprod.gradient
def _(F, node, ograds):
    # nanprod(x) = prod(z) with z = x where x is a number, else 1
    data = node.inputs[0]
    g = F._backward_sum(F.elemwise_mul(ograds[0], node.output(0)), data,
                        **reduce_params(node.params))
    g = F.broadcast_div(g, F._nan_to_one(data))
    return [F.elemwise_mul(g, F._not_nan_mask(data))]


@reduction("max", aliases=("max_axis",))
def max_(xp, data, axes):
    """Computes the max of array elements over given axes."""
    return xp.max(data, axis=axes)


@reduction("min", aliases=("min_axis",))
def min_(xp, data, axes):
    """Computes the min of array elements over given axes."""
    return xp.min(data, axis=axes)


def _extremum_grad(F, node, ograds):
    # The gradient flows to every position equal to the result (MXNet's equality mask,
    # so ties each get the full gradient).
    data, p = node.inputs[0], node.params
    g = F._backward_sum(ograds[0], data, **reduce_params(p))
    return [F.elemwise_mul(g, F._reduce_equal_mask(data, node.output(0), **reduce_params(p)))]


max_.gradient(_extremum_grad)
min_.gradient(_extremum_grad)


# --- backward helpers ---------------------------------------------------------------
def _ograd_like_data(params, in_shapes):
    return [in_shapes[1]]


def _first_type(params, in_types):
    return [in_types[0]]


def broadcast_back(xp, params, ograd, shape):
    """``ograd`` (a reduction's output) broadcast back to the input ``shape``."""
    axes = reduce_axes(params.axis, shape, params.exclude)
    kept = tuple(1 if i in axes else d for i, d in enumerate(shape))
    return xp.broadcast_to(ograd.reshape(kept), shape)


@op("_backward_sum", inputs=("ograd", "data"), params=ReduceParam,
    infer_shape=_ograd_like_data, infer_type=_first_type)
def _backward_sum(xp, params, ograd, data):
    """Broadcast the gradient of a sum back to the shape of its input."""
    return broadcast_back(xp, params, ograd, data.shape)


@_backward_sum.gradient
def _(F, node, ograds):
    return [F.sum(ograds[0], **reduce_params(node.params)), None]


@op("_backward_mean", inputs=("ograd", "data"), params=ReduceParam,
    infer_shape=_ograd_like_data, infer_type=_first_type)
def _backward_mean(xp, params, ograd, data):
    """Broadcast the gradient of a mean back to its input's shape, divided by the count."""
    axes = reduce_axes(params.axis, data.shape, params.exclude)
    n = int(np.prod([data.shape[a] for a in axes]))
    return broadcast_back(xp, params, ograd, data.shape) / ograd.dtype.type(max(n, 1))


@_backward_mean.gradient
def _(F, node, ograds):
    return [F.mean(ograds[0], **reduce_params(node.params)), None]


@op("_reduce_equal_mask", inputs=("data", "result"), params=ReduceParam,
    infer_shape=lambda p, s: [s[0]], infer_type=_first_type, grad=None)
def _reduce_equal_mask(xp, params, data, result):
    """1 where ``data`` equals the broadcast reduction ``result``, else 0."""
    return (data == broadcast_back(xp, params, result, data.shape)).astype(data.dtype)


@op("_not_nan_mask", grad=None)
def _not_nan_mask(xp, params, data):
    """1 where ``data`` is not NaN, else 0."""
    return (~xp.isnan(data)).astype(data.dtype)


@op("_nan_to_one")
def _nan_to_one(xp, params, data):
    """``data`` with NaN replaced by 1."""
    return xp.where(xp.isnan(data), data.dtype.type(1), data)


@_nan_to_one.gradient
def _(F, node, ograds):
    return [F.elemwise_mul(ograds[0], F._not_nan_mask(node.inputs[0]))]


# --- norm ------------------------------------------------------------------------------
class NormParam(Param):
    ord = Int(2, "Order of the norm. Currently ord=1 and ord=2 is supported.")
    axis = Shape(None, "The axis or axes along which to perform the reduction; the default "
                 "computes over all elements into an array of shape (1,).")
    out_dtype = Dtype(None, "The data type of the output.",
                      choices=("float16", "float32", "float64", "int32", "int64", "int8"))
    keepdims = Bool(False, "If this is set to True, the reduced axis is left in the result as "
                    "dimension with size one.")


def _norm_shape(params, in_shapes):
    if params.ord not in (1, 2):
        raise ShapeError(f"norm only supports ord=1 and ord=2, got ord={params.ord}")
    shape = in_shapes[0]
    if shape is None:
        return [None]
    return [reduced_shape(shape, reduce_axes(params.axis, shape), params.keepdims)]


def _norm_type(params, in_types):
    return [np.dtype(params.out_dtype) if params.out_dtype else in_types[0]]


@op("norm", params=NormParam, infer_shape=_norm_shape, infer_type=_norm_type)
def norm(xp, params, data):
    """Computes the norm on an NDArray."""
    axes = reduce_axes(params.axis, data.shape)
    # float16 accumulates in float32, integers in float64 (then cast to the output type)
    x = data.astype(xp.float64 if data.dtype.kind in "iu" else acc_dtype(xp, data.dtype))
    if params.ord == 1:
        return xp.sum(xp.abs(x), axis=axes)
    return xp.sqrt(xp.sum(x * x, axis=axes))


@norm.gradient
def _(F, node, ograds):
    data, p = node.inputs[0], node.params
    og = ograds[0]
    if p.ord == 2:   # x / |x| (NaN at a zero norm, as MXNet)
        og = F.broadcast_div(og, node.output(0))
    if p.out_dtype is not None:
        og = F._cast_like(og, data)
    g = F._backward_sum(og, data, **reduce_params(p))
    return [F.elemwise_mul(g, data if p.ord == 2 else F.sign(data))]


# --- argmax / argmin / argmax_channel ----------------------------------------------------
class ArgReduceParam(Param):
    axis = Int(None, "The axis along which to perform the reduction. Negative values means "
               "indexing from right to left. None reduces over the flattened input.")
    keepdims = Bool(False, "If this is set to True, the reduced axis is left in the result as "
                    "dimension with size one.")


def _check_axis(axis, shape):
    ndim = len(shape)
    if not -ndim <= axis < ndim:
        raise AxisError(f"axis {axis} exceeds the input dimension of {ndim} "
                        f"(input shape {fmt_shape(shape)})")
    return axis % ndim


def _arg_reduce_shape(params, in_shapes):
    shape = in_shapes[0]
    if shape is None:
        return [None]
    if params.axis is None:
        return [(1,) * len(shape) if params.keepdims else legacy_shape(())]
    axis = _check_axis(params.axis, shape)
    return [reduced_shape(shape, (axis,), params.keepdims)]


def arg_reduction(name, fn_name, **attrs):
    """Register argmax/argmin: indices in the input's dtype, as MXNet 1.x; no gradient."""
    def forward(xp, params, data):
        fn = getattr(xp, fn_name)
        return fn(data) if params.axis is None else fn(data, axis=params.axis)
    forward.__name__ = name
    forward.__doc__ = f"Returns indices of the {fn_name[3:]}imum values along an axis."
    return op(name, params=ArgReduceParam, infer_shape=_arg_reduce_shape, grad=None,
              **attrs)(forward)


argmax = arg_reduction("argmax", "argmax")
argmin = arg_reduction("argmin", "argmin")


def _argmax_channel_shape(params, in_shapes):
    shape = in_shapes[0]
    if shape is None:
        return [None]
    _check_axis(1, shape)
    return [reduced_shape(shape, (1,), False)]


@op("argmax_channel", infer_shape=_argmax_channel_shape, grad=None)
def argmax_channel(xp, params, data):
    """Returns argmax indices of each channel from the input array (reduces axis 1)."""
    return xp.argmax(data, axis=1)


# --- moments --------------------------------------------------------------------------
class MomentsParam(Param):
    axes = Shape(None, "Array of ints. Axes along which to compute mean and variance.")
    keepdims = Bool(False, "produce moments with the same dimensionality as the input.")


def _moments_shape(params, in_shapes):
    if not params.axes:
        raise ShapeError("Empty axes is not supported, if you would like to do global "
                         "moments, please pass all axes to axes argument")
    shape = in_shapes[0]
    if shape is None:
        return [None, None]
    out = reduced_shape(shape, reduce_axes(params.axes, shape), params.keepdims)
    return [out, out]


def _moments_type(params, in_types):
    return [in_types[0], in_types[0]]


@op("moments", params=MomentsParam, num_outputs=2, infer_shape=_moments_shape,
    infer_type=_moments_type)
def moments(xp, params, data):
    """Calculate the mean and variance of data."""
    axes = reduce_axes(params.axes, data.shape)
    x = data.astype(xp.float64 if data.dtype.kind in "iu" else acc_dtype(xp, data.dtype))
    mu = xp.mean(x, axis=axes, keepdims=True)
    return mu, xp.mean(xp.square(x - mu), axis=axes)


@moments.gradient
def _(F, node, ograds):
    # d mean = g_mean / n;  d var = g_var * 2 (x - mean) / n
    data = node.inputs[0]
    rp = reduce_params(node.params, axis=node.params.axes)
    g_mean = F._backward_mean(ograds[0], data, **rp)
    centered = F.broadcast_sub(data, F._backward_sum(node.output(0), data, **rp))
    g_var = F.elemwise_mul(F._backward_mean(ograds[1], data, **rp),
                           F._mul_scalar(centered, scalar=2.0))
    return [F.elemwise_add(g_mean, g_var)]
