"""Sparse kernels, registered per op for the storage types they accept (else the call
falls back to the dense kernel): cast_storage, copies, dot with a csr operand, row_sparse
sums, retain, csr sum/slice/getnnz and the lazy (row-wise) optimizer updates."""
from ..base import MXNetError
from ..ops import registry
from . import sparse_xp
from .sparse_array import copy_into
from .sparse_dispatch import CSR, RSP, D, dense, kernel, out_stypes, run


# --- cast_storage: an op whose output storage type is a parameter --------------------
def cast_storage(params, inputs):
    """``cast_storage(data, stype)``: a copy of ``data`` stored as ``stype``."""
    (x,), target = inputs, params.stype
    op = registry.get("cast_storage")
    if target == CSR and len(x.shape) != 2:
        raise MXNetError(f"Operator cast_storage: a csr array is 2-D, got shape {x.shape}")
    if {x.stype, target} == {CSR, RSP}:
        raise MXNetError(f"Operator cast_storage: cast_storage from {x.stype} to {target} "
                         f"is not supported")

    def fn(xp, v):
        if isinstance(v, sparse_xp.SparseData):
            return v    # stored forms are immutable: the output may share it
        return v.copy() if target == D else sparse_xp.from_dense(xp, target, v)
    return run(op, params, [x], None, [target], fn)


registry.get("cast_storage").imperative = cast_storage


@kernel("_copyto")
def _copyto(op, params, inputs, stypes, out):
    if out is None:
        return NotImplemented
    dst = out[0] if isinstance(out, (list, tuple)) else out
    copy_into(inputs[0], dst)
    return out


# --- dot ------------------------------------------------------------------------------
@kernel("dot")
def _dot(op, params, inputs, stypes, out):
    if stypes[0] != CSR or stypes[1] == CSR or params.transpose_b:
        return NotImplemented
    lhs, rhs = inputs
    return run(op, params, inputs, out, out_stypes(op, params, stypes),
               lambda xp, a, b: sparse_xp.csr_dot(xp, a, lhs.shape, dense(xp, b, rhs),
                                                  params.transpose_a))


@kernel("_backward_dot")
def _backward_dot(op, params, inputs, stypes, out):
    # d_rhs of dot(csr, dense) is csr.T @ ograd: row_sparse, as MXNet's
    if stypes[1] != CSR or stypes[0] == CSR or stypes[2] == CSR or params.transpose_b:
        return NotImplemented
    ograd, lhs, rhs = inputs

    def fn(xp, g, a, b):
        g, b = dense(xp, g, ograd), dense(xp, b, rhs)
        g2, b2 = g.reshape(g.shape[0], -1), b.reshape(b.shape[0], -1)
        d_lhs = b2 @ g2.T if params.transpose_a else g2 @ b2.T
        return d_lhs, sparse_xp.csr_dot(xp, a, lhs.shape, g, not params.transpose_a)
    return run(op, params, inputs, out, [D, RSP if not params.transpose_a else D], fn)


# --- row_sparse arithmetic -------------------------------------------------------------
@kernel("elemwise_add", "elemwise_sub", "_grad_add", "add_n")
def _rsp_sum(op, params, inputs, stypes, out):
    if any(s != RSP for s in stypes):
        return NotImplemented
    signs = [1, -1] if op.name == "elemwise_sub" else [1] * len(inputs)
    return run(op, params, inputs, out, [RSP],
               lambda xp, *parts: sparse_xp.rsp_add(xp, parts, signs))


@kernel("_sparse_retain")
def _retain(op, params, inputs, stypes, out):
    if stypes[0] != RSP:
        raise MXNetError(f"Operator _sparse_retain: data must be row_sparse, got "
                         f"{stypes[0]}")
    idx = inputs[1]
    return run(op, params, inputs, out, [RSP],
               lambda xp, d, i: sparse_xp.rsp_retain(xp, d, dense(xp, i, idx).reshape(-1)))


# --- csr reductions and slices ----------------------------------------------------------
@kernel("sum")
def _csr_sum(op, params, inputs, stypes, out):
    axis = params.axis
    if stypes[0] != CSR or params.exclude or axis not in (None, (), (0,), (1,), (-1,), (-2,)):
        return NotImplemented
    ax = None if not axis else axis[0] % 2
    shape = inputs[0].shape
    return run(op, params, inputs, out, [D],
               lambda xp, a: sparse_xp.csr_sum(xp, a, shape, ax))


def _row_range(params, shape):
    """(begin, end) when a slice keeps whole rows of a 2-d array with step 1, else None."""
    begin, end, step = params.begin, params.end, params.step or ()
    if any(s not in (None, 1) for s in step) or len(begin) > 2:
        return None
    if len(begin) == 2 and slice(begin[1], end[1]).indices(shape[1]) != (0, shape[1], 1):
        return None
    lo, hi, _ = slice(begin[0], end[0]).indices(shape[0])
    return lo, max(lo, hi)


@kernel("slice")
def _csr_slice(op, params, inputs, stypes, out):
    rows = _row_range(params, inputs[0].shape) if stypes[0] == CSR else None
    if rows is None:
        return NotImplemented
    return run(op, params, inputs, out, [CSR],
               lambda xp, a: sparse_xp.csr_rows(a, *rows))


@kernel("_contrib_getnnz")
def _getnnz(op, params, inputs, stypes, out):
    if stypes[0] != CSR:
        return NotImplemented
    n_cols = inputs[0].shape[1]

    def fn(xp, a):
        if params.axis is None:
            return xp.asarray([a.data.shape[0]])
        if params.axis % 2 == 0:
            return xp.bincount(a.indices, minlength=n_cols)
        return a.indptr[1:] - a.indptr[:-1]
    return run(op, params, inputs, out, [D], fn)


# --- lazy optimizer updates: only the rows present in a row_sparse gradient -----------
@kernel("sgd_update", "sgd_mom_update", "adam_update", "ftrl_update",
        "_sparse_adagrad_update")
def _lazy_update(op, params, inputs, stypes, out):
    w_stype, g_stype, state_stypes = stypes[0], stypes[1], stypes[2:]
    if g_stype != RSP or not getattr(params, "lazy_update", True) or \
            w_stype not in (D, RSP) or any(s != w_stype for s in state_stypes):
        return NotImplemented   # MXNet's standard update: the dense fallback
    if op.name == "ftrl_update" and w_stype != RSP:
        return NotImplemented
    weight, states = inputs[0], inputs[2:]

    def fn(xp, w, g, *sts):
        w = dense(xp, w, weight)
        sts = [dense(xp, s, arr) for s, arr in zip(sts, states)]
        rows = g.indices
        subs = [s[rows] for s in sts]
        new_w = w.copy()
        new_w[rows] = op.forward(xp, params, w[rows], g.data, *subs)
        for s, sub in zip(sts, subs):
            s[rows] = sub
        return (new_w,) + tuple(sts)
    return run(op, params, inputs, out, [w_stype], fn, mutate=op.mutate)
