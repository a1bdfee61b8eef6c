"""Matrix products: dot (N-d, MXNet's 2-D view semantics) and batch_dot.

``dot`` views each operand as a matrix: lhs (a0..an) as (a0*..*a(n-1), an), or with
transpose_a as (a0, a1*..*an) transposed; rhs (b0..bm) as (b0, b1*..*bm), or with
transpose_b as (b0*..*b(m-1), bm) transposed. The output keeps the free axes:
``dot((2,3,4), (4,5,6)) -> (2,3,5,6)``. Its gradient is ``_backward_dot`` (both inputs at
once), whose own gradient is again dot/_backward_dot since the product is bilinear.
"""
import math

from ..util import is_np_shape
from .infer import ShapeError, same_type
from .param import Bool, Choice, Param
from .reduce import fmt_shape, legacy_shape
from .registry import op

__all__ = ["DotParam"]


class DotParam(Param):
    transpose_a = Bool(False, "If true then transpose the first input before dot.")
    transpose_b = Bool(False, "If true then transpose the second input before dot.")
    forward_stype = Choice(("csr", "default", "row_sparse"), None,
                           "The desired storage type of the forward output (ignored: "
                           "mixnet arrays are dense).")


def _flags(p):
    return {"transpose_a": p.transpose_a, "transpose_b": p.transpose_b}


def _unknown(d):
    return d is None or d < 0 or (d == 0 and not is_np_shape())


def _dot_split(shape, transposed, is_lhs):
    """(contracted dim, free dims) of one operand."""
    if is_lhs != transposed:   # lhs, or a transposed rhs: contract the last axis
        return shape[-1], tuple(shape[:-1])
    return shape[0], tuple(shape[1:])


def _dot_shape(params, in_shapes):
    lhs, rhs = in_shapes
    if lhs is None or rhs is None:
        return [None]
    if len(lhs) == 1 and len(rhs) == 1 and (params.transpose_a or params.transpose_b):
        raise ShapeError("Cannot transpose vectors")
    k_l, free_l = _dot_split(lhs, params.transpose_a, True)
    k_r, free_r = _dot_split(rhs, params.transpose_b, False)
    if k_l != k_r and not (_unknown(k_l) or _unknown(k_r)):
        raise ShapeError(f"dot shape error: {fmt_shape(lhs)} X {fmt_shape(rhs)} "
                         f"(contracted dimensions {k_l} vs {k_r}; transpose_a="
                         f"{params.transpose_a}, transpose_b={params.transpose_b})")
    return [legacy_shape(free_l + free_r)]


def _as_matrix(x, transposed, is_lhs):
    """The 2-D view of a dot operand that is multiplied: (M, K) for lhs, (K, N) for rhs."""
    k, free = _dot_split(x.shape, transposed, is_lhs)
    n = math.prod(free)
    if is_lhs != transposed:
        m = x.reshape(n, k)
        return m if is_lhs else m.T
    m = x.reshape(k, n)
    return m.T if is_lhs else m


@op("dot", inputs=("lhs", "rhs"), params=DotParam, infer_shape=_dot_shape,
    infer_type=same_type)
def dot(xp, params, lhs, rhs):
    """Dot product of two arrays."""
    return _as_matrix(lhs, params.transpose_a, True) @ _as_matrix(rhs, params.transpose_b,
                                                                  False)


@dot.gradient
def _(F, node, ograds):
    lhs, rhs = node.inputs
    grads = F._backward_dot(ograds[0], lhs, rhs, **_flags(node.params))
    return list(grads)


@op("_backward_dot", inputs=("ograd", "lhs", "rhs"), params=DotParam, num_outputs=2,
    infer_shape=lambda p, s: [s[1], s[2]], infer_type=lambda p, t: [t[1], t[2]],
    output_req=True)
def _backward_dot(xp, params, ograd, lhs, rhs, req=(True, True)):
    """Gradients of dot for both inputs (only those in ``req``)."""
    a = _as_matrix(lhs, params.transpose_a, True)
    b = _as_matrix(rhs, params.transpose_b, False)
    g = ograd.reshape(a.shape[0], b.shape[1])
    # gradients of the (M, K) and (K, N) views; a transposed view maps back transposed
    da = db = None
    if req[0]:
        da = g @ b.T
        da = (da.T if params.transpose_a else da).reshape(lhs.shape)
    if req[1]:
        db = a.T @ g
        db = (db.T if params.transpose_b else db).reshape(rhs.shape)
    return da, db


@_backward_dot.gradient
def _(F, node, ograds):
    # <gg_a, dA> + <gg_b, dB> = <g, dot(gg_a, rhs) + dot(lhs, gg_b)>
    g, lhs, rhs = node.inputs
    gg_a, gg_b = ograds
    f = _flags(node.params)
    d_g = F.elemwise_add(F.dot(gg_a, rhs, **f), F.dot(lhs, gg_b, **f))
    d_lhs = F._backward_dot(g, lhs, gg_b, **f)[0]
    d_rhs = F._backward_dot(g, gg_a, rhs, **f)[1]
    return [d_g, d_lhs, d_rhs]


# --- batch_dot ----------------------------------------------------------------------
def _batch_dot_shape(params, in_shapes):
    lhs, rhs = in_shapes
    if lhs is None or rhs is None:
        return [None]
    desc = f"{fmt_shape(lhs)} X {fmt_shape(rhs)} trans_a={int(params.transpose_a)} " \
           f"trans_b={int(params.transpose_b)}"
    if len(lhs) < 3 or len(lhs) != len(rhs):
        raise ShapeError(f"batch_dot currently only support N-D*N-D array (N >= 3) "
                         f"{fmt_shape(lhs)} v.s. {fmt_shape(rhs)}")
    batch = []
    for a, b in zip(lhs[:-2], rhs[:-2]):
        if a != b and not (_unknown(a) or _unknown(b)):
            raise ShapeError(f"batch_dot shape error (the leading batch dimensions must be "
                             f"equal): {desc}")
        batch.append(b if _unknown(a) else a)
    m, k_l = (lhs[-1], lhs[-2]) if params.transpose_a else (lhs[-2], lhs[-1])
    k_r, n = (rhs[-1], rhs[-2]) if params.transpose_b else (rhs[-2], rhs[-1])
    if _unknown(k_l) or _unknown(k_r):
        return [None]   # as MXNet: nothing is inferred while the contracted size is unknown
    if k_l != k_r:
        raise ShapeError(f"batch_dot shape error (shape mismatch): {desc}")
    return [tuple(batch) + (m, n)]


@op("batch_dot", inputs=("lhs", "rhs"), params=DotParam, infer_shape=_batch_dot_shape,
    infer_type=same_type)
def batch_dot(xp, params, lhs, rhs):
    """Batchwise dot product: the last two axes are matrices, the leading ones a batch."""
    a = xp.swapaxes(lhs, -1, -2) if params.transpose_a else lhs
    b = xp.swapaxes(rhs, -1, -2) if params.transpose_b else rhs
    return xp.matmul(a, b)


# For C = op(A) op(B): (gradient of lhs, gradient of rhs) as batch_dot(x, y, ta, tb) of
# (ograd G, lhs A, rhs B), per (transpose_a, transpose_b).
_BATCH_DOT_GRADS = {
    (False, False): (("G", "B", False, True), ("A", "G", True, False)),
    (True, False): (("B", "G", False, True), ("A", "G", False, False)),
    (False, True): (("G", "B", False, False), ("G", "A", True, False)),
    (True, True): (("B", "G", True, True), ("G", "A", True, True)),
}


@batch_dot.gradient
def _(F, node, ograds):
    env = {"G": ograds[0], "A": node.inputs[0], "B": node.inputs[1]}
    p = node.params
    return [F.batch_dot(env[x], env[y], transpose_a=ta, transpose_b=tb)
            for x, y, ta, tb in _BATCH_DOT_GRADS[(p.transpose_a, p.transpose_b)]]
