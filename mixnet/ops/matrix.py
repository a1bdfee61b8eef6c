"""Shape ops that keep the elements: Reshape, transpose, SwapAxis, expand_dims, squeeze,
Flatten, reverse, depth_to_space, space_to_depth.

Joining/splitting ops live in matrix_join.py, growing ops (tile, Pad, broadcast_to) in
matrix_expand.py.
"""
import math

from .infer import AxisError, ShapeError, normalize_axis
from .param import Bool, Int, Param, Shape
from .registry import op

__all__ = ["check_axes_nonneg", "reshape_shape"]


class ReshapeParam(Param):
    shape = Shape((), "The target shape (special codes 0, -1, -2, -3, -4 allowed)")
    reverse = Bool(False, "If true then the special values are inferred from right to left")
    target_shape = Shape((), "(Deprecated) target shape")
    keep_highest = Bool(False, "(Deprecated) keep the highest dim")


def reshape_shape(src, spec, reverse=False):
    """Resolve MXNet's reshape codes in ``spec`` against input shape ``src``."""
    src, spec = list(src), list(spec)
    if reverse:
        src, spec = src[::-1], _reverse_spec(spec)
    out, i, j, infer_at = [], 0, 0, -1
    while j < len(spec):
        code = spec[j]
        if code > 0:
            out.append(code)
            i += 1
        elif code == 0:
            _need(i < len(src), src, spec)
            out.append(src[i])
            i += 1
        elif code == -1:
            if infer_at >= 0:
                raise ShapeError(f"One and only one dim can be inferred, got shape {tuple(spec)}")
            infer_at = len(out)
            out.append(-1)
            i += 1
        elif code == -2:
            out.extend(src[i:])
            i = len(src)
        elif code == -3:
            _need(i + 1 < len(src), src, spec)
            out.append(src[i] * src[i + 1])
            i += 2
        elif code == -4:
            _need(j + 2 < len(spec) and i < len(src), src, spec)
            d0, d1, d = spec[j + 1], spec[j + 2], src[i]
            if d0 == -1:
                d0 = d // d1 if d1 else 0
            if d1 == -1:
                d1 = d // d0 if d0 else 0
            if d0 * d1 != d:
                raise ShapeError(f"cannot split dim {d} into {d0} x {d1}")
            out.extend([d0, d1])
            i += 1
            j += 2
        else:
            raise ShapeError(f"invalid reshape code {code} in shape {tuple(spec)}")
        j += 1
    if infer_at >= 0:
        known = math.prod(d for d in out if d != -1)
        total = math.prod(src)
        if known == 0 or total % known:
            raise ShapeError(f"cannot reshape array of shape {tuple(src)} into "
                             f"{tuple(spec)}")
        out[infer_at] = total // known
    return tuple(out[::-1]) if reverse else tuple(out)


def _reverse_spec(spec):
    # -4 takes the two values after it: keep each (-4, a, b) group's order when reversing.
    groups, j = [], 0
    while j < len(spec):
        if spec[j] == -4:
            groups.append([-4, spec[j + 2], spec[j + 1]])
            j += 3
        else:
            groups.append([spec[j]])
            j += 1
    return [c for g in reversed(groups) for c in g]


def _need(cond, src, spec):
    if not cond:
        raise ShapeError(f"reshape spec {tuple(spec)} does not fit input shape {tuple(src)}")


def _reshape_infer(params, in_shapes):
    src = in_shapes[0]
    spec = params.shape or params.target_shape
    if src is None:
        return [None]
    if not spec:
        raise ShapeError("target shape is empty")
    out = reshape_shape(src, spec, params.reverse)
    if 0 not in src and math.prod(out) != math.prod(src):
        raise ShapeError(f"cannot reshape array of shape {tuple(src)} into shape "
                         f"{tuple(spec)} (resolved {out})")
    return [out]


@op("Reshape", aliases=("reshape",), params=ReshapeParam, infer_shape=_reshape_infer,
    inplace=((0, 0),))
def reshape(xp, params, data):
    """Reshapes the input array (MXNet special codes 0, -1, -2, -3, -4)."""
    spec = params.shape or params.target_shape
    return data.reshape(reshape_shape(data.shape, spec, params.reverse))


@reshape.gradient
def _(F, node, ograds):
    return [F.reshape_like(ograds[0], node.inputs[0])]


def _reshape_like_infer(params, in_shapes):
    lhs, rhs = in_shapes
    if lhs is not None and rhs is not None and math.prod(lhs) != math.prod(rhs):
        raise ShapeError(f"cannot reshape lhs {lhs} to rhs shape {rhs}: sizes differ")
    return [rhs]


def _first_type(params, in_types):
    return [in_types[0]]


@op("reshape_like", inputs=("lhs", "rhs"), infer_shape=_reshape_like_infer,
    infer_type=_first_type)
def reshape_like(xp, params, lhs, rhs):
    """Reshape lhs to have the same shape as rhs."""
    return lhs.reshape(rhs.shape)


@reshape_like.gradient
def _(F, node, ograds):
    return [F.reshape_like(ograds[0], node.inputs[0]), None]


def check_axes_nonneg(axes, ndim, name="axis"):
    """MXNet 1.x's TShape-indexed axes: each in [0, ndim), negative values rejected.

    (transpose, reverse and broadcast_axis read ``shape[axis]`` directly, so MXNet 1.9.1
    raises on negative axes there; we keep that contract.)
    """
    for a in axes:
        if not 0 <= a < ndim:
            raise AxisError(f"{name}={tuple(axes)}: axis {a} must be in range [0, {ndim})")
    return tuple(axes)


def _like_data(F, node, ograds):
    return [F.reshape_like(ograds[0], node.inputs[0])]


# --- transpose -------------------------------------------------------------------------------
class TransposeParam(Param):
    axes = Shape((), "Target axis order. By default the axes will be inverted.")


def _perm(axes, ndim):
    if not axes:
        return tuple(range(ndim - 1, -1, -1))
    if len(axes) != ndim:
        raise ShapeError(f"axes={tuple(axes)} must have one entry per input dimension ({ndim})")
    check_axes_nonneg(axes, ndim, "axes")
    if len(set(axes)) != ndim:
        raise ShapeError(f"axes={tuple(axes)} repeats an axis")
    return tuple(axes)


def _transpose_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    return [tuple(src[a] for a in _perm(params.axes, len(src)))]


@op("transpose", params=TransposeParam, infer_shape=_transpose_infer)
def transpose(xp, params, data):
    """Permutes the dimensions of an array."""
    return xp.transpose(data, _perm(params.axes, data.ndim))


@transpose.gradient
def _(F, node, ograds):
    axes = node.params.axes
    inverse = tuple(sorted(range(len(axes)), key=lambda i: axes[i])) if axes else ()
    return [F.transpose(ograds[0], axes=inverse)]


# --- SwapAxis ---------------------------------------------------------------------------------
class SwapAxisParam(Param):
    dim1 = Int(0, "the first axis to be swapped.")
    dim2 = Int(0, "the second axis to be swapped.")


def _swap_dims(params, ndim):
    return normalize_axis(params.dim1, ndim, "dim1"), normalize_axis(params.dim2, ndim, "dim2")


def _swapaxis_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    d1, d2 = _swap_dims(params, len(src))
    out = list(src)
    out[d1], out[d2] = src[d2], src[d1]
    return [tuple(out)]


@op("SwapAxis", aliases=("swapaxes",), params=SwapAxisParam, infer_shape=_swapaxis_infer)
def swapaxis(xp, params, data):
    """Interchanges two axes of an array."""
    return xp.swapaxes(data, *_swap_dims(params, data.ndim))


@swapaxis.gradient
def _(F, node, ograds):
    p = node.params
    return [F.SwapAxis(ograds[0], dim1=p.dim1, dim2=p.dim2)]


# --- expand_dims / squeeze / Flatten ------------------------------------------------------------
class ExpandDimsParam(Param):
    axis = Int(doc="Position where new axis is to be inserted. Suppose that the input "
                   "NDArray's dimension is ndim, the range of the inserted axis is "
                   "[-ndim, ndim]")


def _expand_dims_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    axis = normalize_axis(params.axis, len(src) + 1)
    return [tuple(src[:axis]) + (1,) + tuple(src[axis:])]


@op("expand_dims", params=ExpandDimsParam, infer_shape=_expand_dims_infer)
def expand_dims(xp, params, data):
    """Inserts a new axis of size 1 into the array shape."""
    return xp.expand_dims(data, normalize_axis(params.axis, data.ndim + 1))


expand_dims.gradient(_like_data)


class SqueezeParam(Param):
    axis = Shape(None, "Selects a subset of the single-dimensional entries in the shape. If "
                       "an axis is selected with shape entry greater than one, an error is "
                       "raised.")


def _squeeze_shape(params, src):
    ndim = len(src)
    if params.axis is None:
        drop = {i for i, d in enumerate(src) if d == 1}
    else:
        drop = set()
        for a in params.axis:
            i = normalize_axis(a, ndim)
            if i in drop:
                raise ShapeError(f"axis={params.axis} repeats axis {a}")
            if src[i] != 1:
                raise ShapeError(f"cannot select an axis to squeeze out which has size="
                                 f"{src[i]} not equal to one (axis {a})")
            drop.add(i)
    out = tuple(d for i, d in enumerate(src) if i not in drop)
    return out or (1,)   # MXNet 1.x: never a 0-d result


def _squeeze_infer(params, in_shapes):
    src = in_shapes[0]
    return [None if src is None else _squeeze_shape(params, src)]


@op("squeeze", params=SqueezeParam, infer_shape=_squeeze_infer)
def squeeze(xp, params, data):
    """Remove single-dimensional entries from the shape of an array."""
    return data.reshape(_squeeze_shape(params, data.shape))


squeeze.gradient(_like_data)


def _flatten_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    if not src:
        raise ShapeError("cannot flatten a 0-d array")
    return [(src[0], math.prod(src[1:]))]


@op("Flatten", aliases=("flatten",), infer_shape=_flatten_infer)
def flatten(xp, params, data):
    """Flattens the input array into a 2-D array by collapsing the higher dimensions."""
    return data.reshape(data.shape[0], -1)


flatten.gradient(_like_data)


# --- reverse ---------------------------------------------------------------------------------
class ReverseParam(Param):
    axis = Shape(doc="The axis which to reverse elements.")


def _reverse_infer(params, in_shapes):
    src = in_shapes[0]
    if src is not None:
        check_axes_nonneg(params.axis, len(src))
    return [src]


@op("reverse", aliases=("flip",), params=ReverseParam, infer_shape=_reverse_infer)
def reverse(xp, params, data):
    """Reverses the order of elements along given axis while preserving array shape."""
    return xp.flip(data, axis=params.axis) if params.axis else data.copy()


@reverse.gradient
def _(F, node, ograds):
    return [F.reverse(ograds[0], axis=node.params.axis)]


# --- depth_to_space / space_to_depth ----------------------------------------------------------
class BlockParam(Param):
    block_size = Int(doc="Blocks of [block_size. block_size] are moved")


def _block_check(params, src, what):
    if len(src) != 4:
        raise ShapeError(f"{what} requires a 4-D (N, C, H, W) input, got shape {tuple(src)}")
    if params.block_size <= 0:
        raise ShapeError(f"block_size must be positive, got {params.block_size}")
    return params.block_size


def _d2s_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    b = _block_check(params, src, "depth_to_space")
    n, c, h, w = src
    if c % (b * b):
        raise ShapeError(f"Cannot perform Depth To Space operation on the specified tensor. "
                         f"Dimension:1(depth dimension) should be a multiple of 'block^2' "
                         f"(got depth {c}, block_size {b})")
    return [(n, c // (b * b), h * b, w * b)]


@op("depth_to_space", params=BlockParam, infer_shape=_d2s_infer)
def depth_to_space(xp, params, data):
    """Rearranges (permutes) data from depth into blocks of spatial data."""
    b = params.block_size
    n, c, h, w = data.shape
    x = data.reshape(n, b, b, c // (b * b), h, w).transpose(0, 3, 4, 1, 5, 2)
    return x.reshape(n, c // (b * b), h * b, w * b)


@depth_to_space.gradient
def _(F, node, ograds):
    return [F.space_to_depth(ograds[0], block_size=node.params.block_size)]


def _s2d_infer(params, in_shapes):
    src = in_shapes[0]
    if src is None:
        return [None]
    b = _block_check(params, src, "space_to_depth")
    n, c, h, w = src
    if h % b or w % b:
        raise ShapeError(f"Cannot perform Space To Depth operation on the specified tensor. "
                         f"Spatial dimensions {(h, w)} should be multiples of 'block' ({b})")
    return [(n, c * b * b, h // b, w // b)]


@op("space_to_depth", params=BlockParam, infer_shape=_s2d_infer)
def space_to_depth(xp, params, data):
    """Rearranges (permutes) blocks of spatial data into depth."""
    b = params.block_size
    n, c, h, w = data.shape
    x = data.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4)
    return x.reshape(n, c * b * b, h // b, w // b)


@space_to_depth.gradient
def _(F, node, ograds):
    return [F.depth_to_space(ograds[0], block_size=node.params.block_size)]
