"""Slices of an array: slice (crop), slice_axis, slice_like, and the slice assignments
``_slice_assign``/``_slice_assign_scalar`` that ``x[key] = value`` uses.

Assignments return a new array (the copy with the region replaced) instead of writing in
place; each slice's gradient is an assignment into zeros.
"""
from .infer import ShapeError, normalize_axis
from .param import Float, Int, Param, Shape
from .registry import op

__all__ = ["slice_key"]


class SliceParam(Param):
    begin = Shape(doc="starting indices for the slice operation, supports negative indices.",
                  allow_none_items=True)
    end = Shape(doc="ending indices for the slice operation, supports negative indices.",
                allow_none_items=True)
    step = Shape((), "step for the slice operation, supports negative values.",
                 allow_none_items=True)


def slice_key(params, ndim):
    """The Python index tuple of a slice param record (begin/end/step) on ``ndim`` dims."""
    begin, end, step = params.begin, params.end, params.step
    if len(begin) != len(end):
        raise ShapeError(f"begin and end must have the same length, got begin={begin}, "
                         f"end={end}")
    if len(begin) > ndim:
        raise ShapeError(f"Slicing axis exceeds data dimensions: begin={begin} has "
                         f"{len(begin)} entries for a {ndim}-D input")
    if step and len(step) != len(begin):
        raise ShapeError(f"step={step} must be empty or have as many entries as begin={begin}")
    step = step or (None,) * len(begin)
    for i, s in enumerate(step):
        if s == 0:
            raise ShapeError(f"slice op step[{i}] cannot be 0")
    return tuple(slice(b, e, s) for b, e, s in zip(begin, end, step))


def _sliced_shape(params, src):
    key = slice_key(params, len(src))
    out = [len(range(*k.indices(d))) for k, d in zip(key, src)]
    return tuple(out) + tuple(src[len(key):])


def _slice_infer(params, in_shapes):
    src = in_shapes[0]
    return [None if src is None else _sliced_shape(params, src)]


@op("slice", aliases=("crop",), params=SliceParam, infer_shape=_slice_infer)
def slice_(xp, params, data):
    """Slices a region of the array."""
    return data[slice_key(params, data.ndim)]


@slice_.gradient
def _(F, node, ograds):
    p = node.params
    zeros = F.zeros_like(node.inputs[0])
    return [F._slice_assign(zeros, ograds[0], begin=p.begin, end=p.end, step=p.step)]


def _assign_infer(params, in_shapes):
    lhs, rhs = in_shapes
    if lhs is not None and rhs is not None:
        region = _sliced_shape(params, lhs)
        if tuple(rhs) != region:
            raise ShapeError(f"Shape inconsistent: rhs has shape {tuple(rhs)}, the sliced "
                             f"region of lhs has shape {region}")
    return [lhs]


@op("_slice_assign", inputs=("lhs", "rhs"), params=SliceParam, infer_shape=_assign_infer,
    infer_type=lambda p, t: [t[0]], aliases=("_crop_assign",))
def _slice_assign(xp, params, lhs, rhs):
    """Assign the rhs to a cropped subset of lhs (returns the result as a new array)."""
    out = lhs.copy()
    out[slice_key(params, lhs.ndim)] = rhs
    return out


@_slice_assign.gradient
def _(F, node, ograds):
    p, g = node.params, ograds[0]
    region = {"begin": p.begin, "end": p.end, "step": p.step}
    return [F._slice_assign_scalar(g, scalar=0.0, **region), F.slice(g, **region)]


class SliceAssignScalarParam(Param):
    # ``scalar`` comes first in MXNet's signature (positional calls depend on the order).
    scalar = Float(0.0, "The scalar value for assignment.")
    begin = SliceParam._specs["begin"]
    end = SliceParam._specs["end"]
    step = SliceParam._specs["step"]


@op("_slice_assign_scalar", params=SliceAssignScalarParam, aliases=("_crop_assign_scalar",))
def _slice_assign_scalar(xp, params, data):
    """Assign the scalar to a cropped subset of the input (returns a new array)."""
    out = data.copy()
    out[slice_key(params, data.ndim)] = xp.asarray(params.scalar).astype(data.dtype)
    return out


@_slice_assign_scalar.gradient
def _(F, node, ograds):
    p = node.params
    return [F._slice_assign_scalar(ograds[0], scalar=0.0, begin=p.begin, end=p.end,
                                   step=p.step)]


# --- slice_axis ------------------------------------------------------------------------------
class SliceAxisParam(Param):
    axis = Int(doc="Axis along which to be sliced, supports negative indexes.")
    begin = Int(doc="The beginning index along the axis to be sliced, supports negative "
                    "indexes.")
    end = Int(doc="The ending index along the axis to be sliced, supports negative indexes.",
              optional=True)


def _axis_range(params, src):
    axis = normalize_axis(params.axis, len(src))
    size = src[axis]
    if size == 0:   # unknown during graph inference
        return axis, 0, 0
    begin = params.begin + size if params.begin < 0 else params.begin
    end = size if params.end is None else (params.end + size if params.end < 0 else params.end)
    if not 0 <= begin < end:
        raise ShapeError(f"Invalid begin, end, get begin={params.begin}, end={params.end} "
                         f"for axis {params.axis} of size {size}")
    if end > size:
        raise ShapeError(f"Invalid end for end={params.end} as axis_size is {size}")
    return axis, begin, end


def _axis_key(params, src):
    axis, begin, end = _axis_range(params, src)
    return (slice(None),) * axis + (slice(begin, end),)


def _slice_axis_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    axis, begin, end = _axis_range(params, src)
    return [tuple(src[:axis]) + (end - begin,) + tuple(src[axis + 1:])]


@op("slice_axis", params=SliceAxisParam, infer_shape=_slice_axis_infer)
def slice_axis(xp, params, data):
    """Slices along a given axis."""
    return data[_axis_key(params, data.shape)]


@slice_axis.gradient
def _(F, node, ograds):
    p = node.params
    return [F._backward_slice_axis(ograds[0], node.inputs[0], axis=p.axis, begin=p.begin,
                                   end=p.end)]


@op("_backward_slice_axis", inputs=("ograd", "data"), params=SliceAxisParam,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[0]])
def _backward_slice_axis(xp, params, ograd, data):
    """Gradient of slice_axis: the output gradient placed into zeros shaped like data."""
    out = xp.zeros(data.shape, dtype=ograd.dtype)
    out[_axis_key(params, data.shape)] = ograd
    return out


@_backward_slice_axis.gradient
def _(F, node, ograds):
    p = node.params
    return [F.slice_axis(ograds[0], axis=p.axis, begin=p.begin, end=p.end), None]


# --- slice_like ------------------------------------------------------------------------------
class SliceLikeParam(Param):
    axes = Shape((), "List of axes on which input data will be sliced according to the "
                     "corresponding size of the second input. By default will slice on all "
                     "axes. Negative axes are supported.")


def _like_shape(params, src, like):
    if not params.axes:
        if len(src) != len(like):
            raise ShapeError(f"By default slice_like slices all axes, but the inputs have "
                             f"{len(src)} and {len(like)} dimensions")
        axes = range(len(src))
    else:
        axes = [normalize_axis(a, len(src), "axes") for a in params.axes]
    out = list(src)
    for a in axes:
        if a >= len(like):
            raise ShapeError(f"Slice axis {a} exceeds shape_like's {len(like)} dimensions")
        if like[a] > src[a]:
            raise ShapeError(f"Slice axis {a} with size {like[a]} exceeds limit of input "
                             f"with size {src[a]}")
        out[a] = like[a]
    return tuple(out)


def _slice_like_infer(params, in_shapes):
    src, like = in_shapes
    if src is None or like is None:
        return [None]
    return [_like_shape(params, src, like)]


def _corner(shape):
    return tuple(slice(0, d) for d in shape)


@op("slice_like", inputs=("data", "shape_like"), params=SliceLikeParam,
    infer_shape=_slice_like_infer, infer_type=lambda p, t: [t[0]])
def slice_like(xp, params, data, shape_like):
    """Slices a region of the array like the shape of another array."""
    return data[_corner(_like_shape(params, data.shape, shape_like.shape))]


@slice_like.gradient
def _(F, node, ograds):
    return [F._backward_slice_like(ograds[0], node.inputs[0]), None]


@op("_backward_slice_like", inputs=("ograd", "data"), infer_shape=lambda p, s: [s[1]],
    infer_type=lambda p, t: [t[0]])
def _backward_slice_like(xp, params, ograd, data):
    """Gradient of slice_like: the output gradient in the leading corner of zeros."""
    out = xp.zeros(data.shape, dtype=ograd.dtype)
    out[_corner(ograd.shape)] = ograd
    return out


@_backward_slice_like.gradient
def _(F, node, ograds):
    return [F.slice_like(ograds[0], node.inputs[0]), None]
