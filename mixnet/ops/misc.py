"""Small ops of their own kind: clip, cumsum, shape_array, size_array, diag, amp_cast,
amp_multicast.
"""
import numpy as np

from .infer import ShapeError, fixed_type, normalize_axis
from .param import Bool, Dtype, Float, Int, Param
from .registry import op

__all__ = []


# --- clip ------------------------------------------------------------------------------------
class ClipParam(Param):
    a_min = Float(doc="Minimum value")
    a_max = Float(doc="Maximum value")


def _bounds(xp, params, data):
    # MXNet casts the bounds to the data's dtype first (clip(int32, 2.7, 5.5) clips to [2, 5]).
    return (xp.asarray(params.a_min).astype(data.dtype),
            xp.asarray(params.a_max).astype(data.dtype))


@op("clip", params=ClipParam, elementwise=True, inplace=((0, 0),))
def clip(xp, params, data):
    """Clips (limits) the values in an array."""
    lo, hi = _bounds(xp, params, data)
    # MXNet's kernel order: above a_max first, then below a_min (matters when a_min > a_max).
    return xp.where(data > hi, hi, xp.where(data < lo, lo, data))


@clip.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_clip(ograds[0], node.inputs[0], a_min=p.a_min, a_max=p.a_max)]


@op("_backward_clip", inputs=("ograd", "data"), params=ClipParam, elementwise=True)
def _backward_clip(xp, params, ograd, data):
    """Gradient of clip: passes where a_min <= data <= a_max, zero elsewhere."""
    lo, hi = _bounds(xp, params, data)
    return xp.where((data >= lo) & (data <= hi), ograd, 0).astype(ograd.dtype)


@_backward_clip.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_clip(ograds[0], node.inputs[1], a_min=p.a_min, a_max=p.a_max), None]


# --- cumsum ----------------------------------------------------------------------------------
class CumsumParam(Param):
    axis = Int(None, "Axis along which the cumulative sum is computed. The default (None) is "
                     "to compute the cumsum over the flattened array.")
    dtype = Dtype(None, "Type of the returned array and of the accumulator in which the "
                        "elements are summed. If dtype is not specified, it defaults to the "
                        "dtype of a, unless a has an integer dtype with a precision less than "
                        "that of the default platform integer.",
                  choices=("float16", "float32", "float64", "int32", "int64", "int8"))


def _cumsum_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    if params.axis is None:
        return [(int(np.prod(src)),)]
    normalize_axis(params.axis, len(src))
    return [tuple(src)]


def _cumsum_type(params, in_types):
    if params.dtype is not None:
        return [np.dtype(params.dtype)]
    t = in_types[0]
    # Checked against MXNet 1.9.1: integer inputs keep their type, bool sums as int64.
    return [np.dtype(np.int64) if t is not None and np.dtype(t) == np.bool_ else t]


@op("_np_cumsum", aliases=("cumsum",), inputs=("a",), params=CumsumParam,
    infer_shape=_cumsum_infer, infer_type=_cumsum_type)
def cumsum(xp, params, a):
    """Return the cumulative sum of the elements along a given axis."""
    dtype = _cumsum_type(params, [a.dtype])[0]
    if params.axis is None:
        return xp.cumsum(a.reshape(-1), dtype=dtype)
    return xp.cumsum(a, axis=normalize_axis(params.axis, a.ndim), dtype=dtype)


@cumsum.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_np_cumsum(ograds[0], node.inputs[0], axis=p.axis, dtype=p.dtype)]


@op("_backward_np_cumsum", inputs=("ograd", "a"), params=CumsumParam,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[1]])
def _backward_np_cumsum(xp, params, ograd, a):
    """Gradient of cumsum: the reversed cumulative sum of the output gradient."""
    if params.axis is None:
        return xp.cumsum(ograd[::-1])[::-1].reshape(a.shape).astype(a.dtype)
    axis = normalize_axis(params.axis, a.ndim)
    rev = xp.flip(ograd, axis=axis)
    return xp.flip(xp.cumsum(rev, axis=axis), axis=axis).astype(a.dtype)


@_backward_np_cumsum.gradient
def _(F, node, ograds):
    p = node.params
    return [F._np_cumsum(ograds[0], axis=p.axis, dtype=p.dtype), None]


# --- shape_array / size_array ------------------------------------------------------------------
@op("shape_array", infer_shape=lambda p, s: [None if s[0] is None else (len(s[0]),)],
    infer_type=fixed_type(np.int64), grad=None)
def shape_array(xp, params, data):
    """Returns a 1D int64 array containing the shape of data."""
    return xp.asarray(data.shape, dtype=xp.int64)


@op("size_array", infer_shape=lambda p, s: [(1,)], infer_type=fixed_type(np.int64), grad=None)
def size_array(xp, params, data):
    """Returns a 1D int64 array containing the size of data."""
    return xp.asarray([data.size], dtype=xp.int64)


# --- diag ------------------------------------------------------------------------------------
class DiagParam(Param):
    k = Int(0, "Diagonal in question. The default is 0. Use k>0 for diagonals above the main "
               "diagonal, and k<0 for diagonals below the main diagonal. If input has shape "
               "(S0 S1) k must be between -S0 and S1")
    axis1 = Int(0, "The first axis of the sub-arrays of interest. Ignored when the input is "
                   "a 1-D array.")
    axis2 = Int(1, "The second axis of the sub-arrays of interest. Ignored when the input is "
                   "a 1-D array.")


def _diag_axes(params, src):
    a1 = normalize_axis(params.axis1, len(src), "axis1")
    a2 = normalize_axis(params.axis2, len(src), "axis2")
    if a1 == a2:
        raise ShapeError(f"axis1 and axis2 cannot refer to the same axis {a1}")
    return a1, a2


def _diag_len(params, n1, n2):
    k = params.k
    return max(0, min(n1, n2 - k) if k >= 0 else min(n1 + k, n2))


def _diag_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    if len(src) == 0:
        raise ShapeError("diag requires an input of at least one dimension")
    if len(src) == 1:
        n = src[0] + abs(params.k)
        return [(n, n)]
    a1, a2 = _diag_axes(params, src)
    size = _diag_len(params, src[a1], src[a2])
    if size == 0 and src[a1] and src[a2]:   # (0 dims are unknown during graph inference)
        raise ShapeError(f"Diagonal does not exist: k={params.k} for axes of sizes "
                         f"{src[a1]} and {src[a2]}")
    rest = tuple(d for i, d in enumerate(src) if i not in (a1, a2))
    return [rest + (size,)]


@op("diag", params=DiagParam, infer_shape=_diag_infer)
def diag(xp, params, data):
    """Extracts a diagonal or constructs a diagonal array."""
    if data.ndim == 1:
        return xp.diag(data, params.k)
    a1, a2 = _diag_axes(params, data.shape)
    return xp.diagonal(data, params.k, a1, a2)


@diag.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_diag(ograds[0], node.inputs[0], k=p.k, axis1=p.axis1, axis2=p.axis2)]


@op("_backward_diag", inputs=("ograd", "data"), params=DiagParam,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[0]])
def _backward_diag(xp, params, ograd, data):
    """Gradient of diag: the diagonal of a 1-D input, or the diagonal placed into zeros."""
    if data.ndim == 1:
        return xp.diagonal(ograd, params.k).copy()
    a1, a2 = _diag_axes(params, data.shape)
    out = xp.zeros(data.shape, dtype=ograd.dtype)
    moved = xp.moveaxis(out, (a1, a2), (-2, -1))   # a view: writes land in ``out``
    i = xp.arange(ograd.shape[-1])
    moved[..., i + max(-params.k, 0), i + max(params.k, 0)] = ograd
    return out


@_backward_diag.gradient
def _(F, node, ograds):
    p = node.params
    return [F.diag(ograds[0], k=p.k, axis1=p.axis1, axis2=p.axis2), None]


# --- amp_cast / amp_multicast ----------------------------------------------------------------
_AMP_TYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8")


class AmpCastParam(Param):
    dtype = Dtype(doc="Output data type.", choices=_AMP_TYPES)


def _amp_cast_type(params, in_types):
    t = in_types[0]
    # Only floating point inputs are cast; others pass through (MXNet's AMPCastType).
    return [np.dtype(params.dtype) if t is None or np.dtype(t).kind == "f" else t]


@op("amp_cast", params=AmpCastParam, infer_type=_amp_cast_type)
def amp_cast(xp, params, data):
    """Cast function between low precision float/FP32 used by AMP."""
    return data.astype(_amp_cast_type(params, [data.dtype])[0])


@amp_cast.gradient
def _(F, node, ograds):
    return [F._cast_like(ograds[0], node.inputs[0])]


class AmpMultiCastParam(Param):
    num_outputs = Int(doc="Number of input/output pairs to be casted to the widest type.")
    cast_narrow = Bool(False, "Whether to cast to the narrowest type")


def _amp_multicast_type(params, in_types):
    """MXNet 1.9.1's AMPMultiCastType, reproduced from its observed behaviour: float16 and
    float32 inputs are cast to one common type, other types pass through."""
    f16, f32 = np.dtype(np.float16), np.dtype(np.float32)
    known = [np.dtype(t) for t in in_types if t is not None]
    if params.cast_narrow:
        target = f16 if f16 in known else f32
        cast = (f32,)
    else:
        target = f32 if f32 in known else (known[0] if known else f16)
        cast = (f16, f32)
    return [None if t is None else (target if np.dtype(t) in cast else np.dtype(t))
            for t in in_types]


def _amp_multicast_infer(params, in_shapes):
    if len(in_shapes) != params.num_outputs:
        raise ShapeError(f"expects {params.num_outputs} inputs (num_outputs), but got "
                         f"{len(in_shapes)} instead")
    return list(in_shapes)


@op("amp_multicast", inputs=("data",), params=AmpMultiCastParam, variadic="num_outputs",
    num_outputs=lambda p: p.num_outputs, infer_type=_amp_multicast_type,
    infer_shape=_amp_multicast_infer)
def amp_multicast(xp, params, *data):
    """Cast function used by AMP, that casts its inputs to the common widest type."""
    types = _amp_multicast_type(params, [x.dtype for x in data])
    return tuple(x.astype(t) for x, t in zip(data, types))


@amp_multicast.gradient
def _(F, node, ograds):
    return [F._cast_like(g, x) for g, x in zip(ograds, node.inputs)]
