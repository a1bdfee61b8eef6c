"""Embedding: rows of a weight matrix picked by integer indices; its weight gradient is
the scatter-add ``_backward_Embedding``, whose own gradient is an Embedding again.
"""
import numpy as np

from ..infer import InferTypeError
from ..param import REQUIRED, Bool, Dtype, Int, Param
from ..registry import op
from .norms import fill_param_shapes

__all__ = []

_DTYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8")


class EmbeddingParam(Param):
    input_dim = Int(REQUIRED, "Vocabulary size of the input indices.")
    output_dim = Int(REQUIRED, "Dimension of the embedding vectors.")
    dtype = Dtype("float32", "Data type of weight.", choices=_DTYPES)
    sparse_grad = Bool(False, "Compute row sparse gradient in the backward calculation. "
                       "If set to True, the grad's storage type is row_sparse.")


def _embedding_shape(params, in_shapes):
    fill_param_shapes(in_shapes, (1,), (params.input_dim, params.output_dim))
    data = in_shapes[0]
    return [None if data is None else tuple(data) + (params.output_dim,)]


def _embedding_type(params, in_types):
    if in_types[0] is None:
        raise InferTypeError("First input must have specified type")
    in_types[1] = in_types[1] or np.dtype(params.dtype)
    return [in_types[1]]


def _rows(xp, data, input_dim):
    """Indices as MXNet reads them: truncated to integers, clipped to the vocabulary."""
    return xp.clip(data.astype(np.int64), 0, input_dim - 1)


@op("Embedding", inputs=("data", "weight"), params=EmbeddingParam,
    infer_shape=_embedding_shape, infer_type=_embedding_type)
def embedding(xp, params, data, weight):
    """Maps integer indices to vector representations (embeddings)."""
    return weight[_rows(xp, data, params.input_dim)]


@embedding.gradient
def _(F, node, ograds):
    p = node.params
    return [None, F._backward_Embedding(ograds[0], node.inputs[0], input_dim=p.input_dim,
                                        output_dim=p.output_dim, dtype=p.dtype)]


@op("_backward_Embedding", inputs=("ograd", "data"), params=EmbeddingParam,
    infer_shape=lambda p, s: [(p.input_dim, p.output_dim)],
    infer_type=lambda p, t: [t[0]])
def _backward_embedding(xp, params, ograd, data):
    """Gradient of Embedding w.r.t. its weight: output gradients summed into their rows."""
    out = xp.zeros((params.input_dim, params.output_dim), dtype=ograd.dtype)
    xp.add.at(out, _rows(xp, data, params.input_dim).reshape(-1),
              ograd.reshape(-1, params.output_dim))
    return out


@_backward_embedding.gradient
def _(F, node, ograds):
    p = node.params
    return [F.Embedding(node.inputs[1], ograds[0], input_dim=p.input_dim,
                        output_dim=p.output_dim, dtype=p.dtype), None]
