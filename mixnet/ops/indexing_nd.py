"""N-d index tuples: gather_nd, scatter_nd, _scatter_set_nd and gather_nd's gradient.

``indices`` has shape (M, Y0, ...): column ``indices[:, y]`` is an index tuple into the
first M axes of the data (negative entries count from the end, as in NumPy).
"""
import math

from .infer import ShapeError
from .param import Param, Shape
from .registry import op

__all__ = []


def _key(xp, indices):
    return tuple(indices.astype(xp.int64))


def _check_depth(indices, data_ndim, what):
    if len(indices) < 2:
        raise ShapeError(f"{what} requires index tensor to have at least 2 dimensions, got "
                         f"shape {tuple(indices)}")
    if indices[0] > data_ndim:
        raise ShapeError(f"Number of indices exceeds data dimension: indices shape "
                         f"{tuple(indices)} indexes {indices[0]} axes of a {data_ndim}-D array")


def _gathered_shape(data, indices):
    return tuple(indices[1:]) + tuple(data[indices[0]:])


def _gather_nd_infer(params, in_shapes):
    data, indices = in_shapes
    if data is None or indices is None:
        return [None]
    _check_depth(indices, len(data), "gather_nd")
    return [_gathered_shape(data, indices)]


@op("gather_nd", inputs=("data", "indices"), infer_shape=_gather_nd_infer,
    infer_type=lambda p, t: [t[0]])
def gather_nd(xp, params, data, indices):
    """Gather elements or slices from `data` and store to a tensor whose shape is defined by
    `indices`."""
    return data[_key(xp, indices)]


@gather_nd.gradient
def _(F, node, ograds):
    data, indices = node.inputs
    return [F._backward_gather_nd_like(ograds[0], indices, data), None]


def _scatter_add(xp, data, indices, shape):
    out = xp.zeros(shape, dtype=data.dtype)
    xp.add.at(out, _key(xp, indices), data)
    return out


class ScatterParam(Param):
    shape = Shape(doc="Shape of output.")


def _scatter_infer(params, in_shapes):
    data, indices = in_shapes[-2], in_shapes[-1]
    shape = tuple(params.shape)
    if data is not None and indices is not None:
        _check_depth(indices, len(shape), "scatter_nd")
        if tuple(data) != _gathered_shape(shape, indices):
            raise ShapeError(f"Invalid data, indices, and output shape combination for "
                             f"scatter_nd: {tuple(data)}, {tuple(indices)}, {shape}")
    return [shape]


@op("_backward_gather_nd", inputs=("data", "indices"), params=ScatterParam,
    infer_shape=_scatter_infer, infer_type=lambda p, t: [t[0]])
def _backward_gather_nd(xp, params, data, indices):
    """Accumulates data w.r.t. indices in an array of the given shape (scatter-add)."""
    return _scatter_add(xp, data, indices, params.shape)


@_backward_gather_nd.gradient
def _(F, node, ograds):
    return [F.gather_nd(ograds[0], node.inputs[1]), None]


# NOTE: MXNet's gather_nd gradient calls _backward_gather_nd with no shape and lets backward
# shape inference fill it from the gradient's destination. Our shape rules run forward only,
# so the gradient passes the forward data to copy the shape from.
@op("_backward_gather_nd_like", inputs=("ograd", "indices", "data"),
    infer_shape=lambda p, s: [s[2]], infer_type=lambda p, t: [t[0]])
def _backward_gather_nd_like(xp, params, ograd, indices, data):
    """Gradient of gather_nd: scatter-add of the output gradient into data's shape."""
    return _scatter_add(xp, ograd, indices, data.shape)


@_backward_gather_nd_like.gradient
def _(F, node, ograds):
    return [F.gather_nd(ograds[0], node.inputs[1]), None, None]


@op("scatter_nd", inputs=("data", "indices"), params=ScatterParam, infer_shape=_scatter_infer,
    infer_type=lambda p, t: [t[0]])
def scatter_nd(xp, params, data, indices):
    """Scatters data into a new tensor according to indices."""
    out = xp.zeros(params.shape, dtype=data.dtype)
    out[_key(xp, indices)] = data
    return out


@scatter_nd.gradient
def _(F, node, ograds):
    return [F.gather_nd(ograds[0], node.inputs[1]), None]


def _scatter_set_infer(params, in_shapes):
    lhs = in_shapes[0]
    shape = _scatter_infer(params, in_shapes)[0]
    if lhs is not None and math.prod(lhs) and tuple(lhs) != shape:
        raise ShapeError(f"lhs shape {tuple(lhs)} differs from shape={shape}")
    return [shape]


@op("_scatter_set_nd", inputs=("lhs", "rhs", "indices"), params=ScatterParam,
    infer_shape=_scatter_set_infer, infer_type=lambda p, t: [t[0]])
def _scatter_set_nd(xp, params, lhs, rhs, indices):
    """lhs with the elements at indices set to rhs (returned as a new array)."""
    out = lhs.copy()
    out[_key(xp, indices)] = rhs
    return out


@_scatter_set_nd.gradient
def _(F, node, ograds):
    _, rhs, indices = node.inputs
    g = ograds[0]
    cleared = F._scatter_set_nd(g, F.zeros_like(rhs), indices, shape=node.params.shape)
    return [cleared, F.gather_nd(g, indices), None]
