"""Shape ops: reshape, transpose, expand_dims, concat, stack, split, tile, ..."""
import math

from .infer import ShapeError
from .param import Param, Shape, Bool
from .registry import op

__all__ = ["reshape_shape"]


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
