"""Ops of MXNet's sparse family: cast_storage, _sparse_retain, _sparse_adagrad_update,
_contrib_getnnz.

Their forwards here are the dense meaning (what a symbol graph computes); the storage
types and the sparse kernels come from mixnet/ndarray/sparse_kernels.py.
"""
import numpy as np

from .infer import ShapeError, first_type, fixed_type
from .optimizer_update import CLIP, LR, RESCALE, WD, rescaled_grad, update_op
from .param import Choice, Float, Int, Param
from .registry import op

__all__ = []


class CastStorageParam(Param):
    stype = Choice(("default", "row_sparse", "csr"), doc="Output storage type.")


@op("cast_storage", params=CastStorageParam)
def cast_storage(xp, params, data):
    """Casts tensor storage type to the new type."""
    return data.copy()


@cast_storage.gradient
def _(F, node, ograds):
    return [ograds[0]]


def _retain_shape(params, in_shapes):
    if len(in_shapes) != 2:
        raise ShapeError(f"expects 2 inputs (data, indices), got {len(in_shapes)}")
    return [in_shapes[0]]


@op("_sparse_retain", inputs=("data", "indices"), infer_shape=_retain_shape,
    infer_type=first_type, namespace="sparse")
def sparse_retain(xp, params, data, indices):
    """Pick rows specified by user input index array from a row sparse matrix and save
    them in the output sparse matrix."""
    keep = xp.zeros((data.shape[0],), bool)
    keep[indices.reshape(-1).astype(np.int64)] = True
    return data * keep.reshape((-1,) + (1,) * (data.ndim - 1))


@sparse_retain.gradient
def _(F, node, ograds):
    return [F._sparse_retain(ograds[0], node.inputs[1]), None]


class AdagradParam(Param):
    lr = LR
    epsilon = Float(1e-7, "epsilon")
    wd = WD
    rescale_grad = RESCALE
    clip_gradient = CLIP


@update_op("_sparse_adagrad_update", ("weight", "grad", "history"), AdagradParam, (2,),
           namespace="sparse")
def sparse_adagrad_update(xp, params, weight, grad, history):
    """Update function for AdaGrad optimizer."""
    g = rescaled_grad(xp, grad, params)
    history[...] = history + g * g
    return weight - params.lr * (g / xp.sqrt(history + params.epsilon) + params.wd * weight)


class GetnnzParam(Param):
    axis = Int(None, "Select between the number of values across the whole matrix, in each "
                     "column, or in each row.", optional=True)


def _getnnz_shape(params, in_shapes):
    shape = in_shapes[0]
    if shape is None:
        return [None]
    if len(shape) != 2:
        raise ShapeError(f"getnnz expects a 2-D (csr) array, got shape {shape}")
    if params.axis is None:
        return [(1,)]
    if params.axis not in (-2, -1, 0, 1):
        raise ShapeError(f"getnnz: axis must be 0 or 1, got {params.axis}")
    return [(shape[1],) if params.axis % 2 == 0 else (shape[0],)]


@op("_contrib_getnnz", params=GetnnzParam, infer_shape=_getnnz_shape,
    infer_type=fixed_type(np.int64), namespace="contrib", grad=None)
def getnnz(xp, params, data):
    """Number of stored values for a CSRNDArray: in the matrix, or per column (axis=0) or
    row (axis=1)."""
    nz = data != 0
    return nz.sum() if params.axis is None else nz.sum(axis=params.axis % 2)
