"""Ordering ops: sort, argsort, topk.

Sorting is stable, and a descending order keeps equal elements in input order (as MXNet:
``topk([1, 1, 1, 2, 2], k=3)`` gives indices 3, 4, 0). ``sort`` and ``topk`` (values) keep
the indices as a hidden output, so that their gradient scatters the output gradient back
through ``_backward_topk``; ``_topk_gather`` is its transpose, for higher orders.
"""
import numpy as np

from .infer import AxisError, ShapeError
from .param import Bool, Choice, Dtype, Int, Param
from .reduce import fmt_shape
from .registry import op

__all__ = ["along_axis_index"]

INDEX_DTYPES = ("float16", "float32", "float64", "int32", "int64", "uint8")


def _axis_of(axis, shape):
    """The non-negative sort axis (None: the flattened array, axis 0)."""
    if axis is None:
        return 0
    ndim = len(shape)
    if not -ndim <= axis < ndim:
        raise AxisError(f"Invalid axis! axis should be between 0 and {ndim}, found "
                        f"axis={axis} (input shape {fmt_shape(shape)})")
    return axis % ndim


def _sorted_shape(axis, shape):
    return (int(np.prod(shape)),) if axis is None else tuple(shape)


def _k_of(k, shape, axis):
    """MXNet's k: the whole axis when k < 1; an error past its length."""
    n = _sorted_shape(axis, shape)[_axis_of(axis, shape)]
    if k < 1:
        return n
    if k > n:
        raise ShapeError(f"k must be smaller than {n}, get k = {k}")
    return k


def stable_argsort(xp, data, axis, is_ascend):
    """Stable argsort along ``axis`` (int64), equal elements in input order both ways."""
    if is_ascend:
        return xp.argsort(data, axis=axis, kind="stable")
    # Sort the reversed array ascending, reverse the result: the last of equal elements
    # in the reversed array is the first in the input.
    n = data.shape[axis]
    rev = xp.argsort(xp.flip(data, axis=axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(rev, axis=axis)


def along_axis_index(xp, indices, axis):
    """An index tuple selecting ``indices`` along ``axis`` and every position elsewhere
    (``data[t]`` is take_along_axis; ``out[t] = v`` is put_along_axis)."""
    index = []
    for d, n in enumerate(indices.shape):
        if d == axis:
            index.append(indices)
        else:
            view = [1] * indices.ndim
            view[d] = n
            index.append(xp.arange(n).reshape(view))
    return tuple(index)


def _top_indices(xp, data, params, k):
    """(data as sorted, its axis, the int64 indices of the first k in sort order; k=None:
    all of them)."""
    if params.axis is None:
        data = data.reshape(-1)
    axis = _axis_of(params.axis, data.shape)
    order = stable_argsort(xp, data, axis, params.is_ascend)
    if k is not None:
        order = order[(slice(None),) * axis + (slice(0, k),)]
    return data, axis, order


# --- sort / argsort -----------------------------------------------------------------
class SortParam(Param):
    axis = Int(-1, "Axis along which to choose sort the input tensor. If not given, the "
               "flattened array is used. Default is -1.", optional=True)
    is_ascend = Bool(True, "Whether to sort in ascending or descending order.")


class ArgSortParam(SortParam):
    dtype = Dtype("float32", "DType of the output indices.", choices=INDEX_DTYPES)


def _sort_shape(params, in_shapes):
    shape = in_shapes[0]
    if shape is None:
        return [None, None]
    _axis_of(params.axis, shape)
    out = _sorted_shape(params.axis, shape)
    return [out, out]


@op("sort", params=SortParam, num_outputs=2, num_visible_outputs=1,
    output_names=("output", "indices"), infer_shape=_sort_shape,
    infer_type=lambda p, t: [t[0], np.dtype(np.int64)])
def sort(xp, params, data):
    """Returns a sorted copy of an input array along the given axis."""
    data, axis, order = _top_indices(xp, data, params, k=None)
    return data[along_axis_index(xp, order, axis)], order


@op("argsort", params=ArgSortParam, infer_shape=lambda p, s: _sort_shape(p, s)[:1],
    infer_type=lambda p, t: [np.dtype(p.dtype)], grad=None)
def argsort(xp, params, data):
    """Returns the indices that would sort an input array along the given axis."""
    return _top_indices(xp, data, params, k=None)[2]


def _scatter_grad(F, node, ograds):
    p = node.params
    return [F._backward_topk(ograds[0], node.output(1), node.inputs[0], axis=p.axis)]


sort.gradient(_scatter_grad)


# --- topk ---------------------------------------------------------------------------
class TopKParam(Param):
    axis = Int(-1, "Axis along which to choose the top k indices. If not given, the "
               "flattened array is used. Default is -1.", optional=True)
    k = Int(1, "Number of top elements to select; a global sort is performed if k < 1.")
    ret_typ = Choice(("both", "indices", "mask", "value"), "indices",
                     "The return type: 'value', 'indices', 'mask' (1 at the top k) or "
                     "'both' (values and indices).")
    is_ascend = Bool(False, "Whether to choose k largest or k smallest elements. Top K "
                     "largest elements will be chosen if set to false.")
    dtype = Dtype("float32", "DType of the output indices when ret_typ is 'indices' or "
                  "'both'.", choices=INDEX_DTYPES)


def _topk_outputs(params):
    return 2 if params.ret_typ in ("value", "both") else 1


def _topk_names(params):
    return {"both": ["output0", "output1"], "value": ["output", "indices"]}.get(
        params.ret_typ, ["output"])


def _topk_shape(params, in_shapes):
    shape = in_shapes[0]
    if shape is None:
        return [None] * _topk_outputs(params)
    if params.ret_typ == "mask":
        _k_of(params.k, shape, params.axis)
        return [tuple(shape)]
    out = list(_sorted_shape(params.axis, shape))
    out[_axis_of(params.axis, shape)] = _k_of(params.k, shape, params.axis)
    return [tuple(out)] * _topk_outputs(params)


def _topk_type(params, in_types):
    index = np.dtype(params.dtype)
    return {"indices": [index], "mask": [in_types[0]], "both": [in_types[0], index],
            # the hidden indices of 'value' are int64: exact for any size
            "value": [in_types[0], np.dtype(np.int64)]}[params.ret_typ]


@op("topk", params=TopKParam, num_outputs=_topk_outputs,
    num_visible_outputs=lambda p: 2 if p.ret_typ == "both" else 1,
    output_names=_topk_names, infer_shape=_topk_shape, infer_type=_topk_type)
def topk(xp, params, data):
    """Returns the indices (or values, a mask, or both) of the top k elements along an axis."""
    k = _k_of(params.k, data.shape, params.axis)
    flat, axis, order = _top_indices(xp, data, params, k)
    if params.ret_typ == "indices":
        return order
    if params.ret_typ == "mask":
        mask = xp.zeros(flat.shape, dtype=data.dtype)
        mask[along_axis_index(xp, order, axis)] = 1
        return mask.reshape(data.shape)
    return flat[along_axis_index(xp, order, axis)], order


@topk.gradient
def _(F, node, ograds):
    if node.params.ret_typ in ("indices", "mask"):
        return [None]
    return _scatter_grad(F, node, ograds)


# --- gradient helpers: scatter and gather along an axis --------------------------------
class AlongAxisParam(Param):
    axis = Int(-1, "The axis of the indices; None: the flattened data.", optional=True)


@op("_backward_topk", inputs=("ograd", "indices", "data"), params=AlongAxisParam,
    infer_shape=lambda p, s: [s[2]], infer_type=lambda p, t: [t[0]])
def _backward_topk(xp, params, ograd, indices, data):
    """Scatter ``ograd`` into zeros shaped like ``data`` at ``indices`` along the axis."""
    shape = _sorted_shape(params.axis, data.shape)
    out = xp.zeros(shape, dtype=ograd.dtype)
    axis = _axis_of(params.axis, shape)
    out[along_axis_index(xp, indices.astype(np.int64), axis)] = ograd
    return out.reshape(data.shape)


@_backward_topk.gradient
def _(F, node, ograds):
    _, indices, _ = node.inputs
    return [F._topk_gather(ograds[0], indices, axis=node.params.axis), None, None]


@op("_topk_gather", inputs=("data", "indices"), params=AlongAxisParam,
    infer_shape=lambda p, s: [s[1]], infer_type=lambda p, t: [t[0]])
def _topk_gather(xp, params, data, indices):
    """``data`` at ``indices`` along the axis (take_along_axis)."""
    if params.axis is None:
        data = data.reshape(-1)
    axis = _axis_of(params.axis, data.shape)
    return data[along_axis_index(xp, indices.astype(np.int64), axis)]


@_topk_gather.gradient
def _(F, node, ograds):
    data, indices = node.inputs
    return [F._backward_topk(ograds[0], indices, data, axis=node.params.axis), None]
