"""CTCLoss: Connectionist Temporal Classification loss (Graves et al.) over (T, N, C) data.

The forward pass runs the alpha (forward) and beta (backward) recursions in log space,
vectorized over the batch and the extended label (blanks between symbols), one Python step
per time step. Like MXNet it also returns, as a hidden second output, the gradient of the
loss with respect to the unnormalized data (softmax - label occupancy), which the gradient
rule scales by the incoming out-grad. Infeasible or empty labels give loss 0 and gradient 0,
as MXNet 1.9.1 does.
"""
import numpy as np

from ..infer import ShapeError
from ..param import Bool, Choice, Param
from ..reduce import fmt_shape
from ..registry import op

__all__ = []

_NEG = -1e30   # log(0) that stays finite, so that -inf - -inf never makes nan


class CTCLossParam(Param):
    use_data_lengths = Bool(False, "Whether the data lenghts are decided by `data_lengths`. "
                            "If false, the lengths are equal to the max sequence length.")
    use_label_lengths = Bool(False, "Whether the label lenghts are decided by "
                             "`label_lengths`, or derived from `padding_mask`.")
    blank_label = Choice(("first", "last"), "first",
                         "Set the label that is reserved for blank label.")


def _inputs(p):
    names = ["data", "label"]
    if p.use_data_lengths:
        names.append("data_lengths")
    if p.use_label_lengths:
        names.append("label_lengths")
    return tuple(names)


def _ctc_shape(params, in_shapes):
    data, label = in_shapes[0], in_shapes[1]
    if label is not None and len(label) != 2:
        raise ShapeError(f"The number of dimensions of labels array must be 2, got "
                         f"{fmt_shape(label)}")
    if data is None:
        return [None, None]
    if len(data) != 3:
        raise ShapeError(f"The number of dimensions of data array must be 3, got "
                         f"{fmt_shape(data)}")
    if label is not None and label[0] and data[1] and label[0] != data[1]:
        raise ShapeError(f"The batch size for the labels and data arrays must be the same, "
                         f"got label {fmt_shape(label)} and data {fmt_shape(data)}")
    for i in range(2, len(in_shapes)):
        if in_shapes[i] is not None and len(in_shapes[i]) != 1:
            raise ShapeError(f"Length arrays must be vectors, got {fmt_shape(in_shapes[i])}")
    return [(data[1],), tuple(data)]


def _logsumexp(xp, *terms):
    top = terms[0]
    for t in terms[1:]:
        top = xp.maximum(top, t)
    return top + xp.log(sum(xp.exp(t - top) for t in terms))


def _labels(xp, params, label, label_lengths, blank):
    """Integer labels (N, L) and their lengths (N,)."""
    lab = label.astype(np.int64)
    if label_lengths is not None:
        lengths = label_lengths.astype(np.int64)
    else:
        pad = 0 if params.blank_label == "first" else -1
        is_pad = lab == pad
        first = xp.argmax(is_pad, axis=1)
        lengths = xp.where(is_pad.any(axis=1), first, lab.shape[1])
    lengths = xp.clip(lengths, 0, lab.shape[1])
    return xp.where(lab < 0, blank, lab), lengths


def _extend(xp, lab, blank):
    """Extended labels (N, 2L+1) with blanks, and where a skip from s-2 to s is allowed."""
    n, length = lab.shape
    ext = xp.full((n, 2 * length + 1), blank, dtype=np.int64)
    ext[:, 1::2] = lab
    skip = xp.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    return ext, skip


def _shift(xp, a, k):
    """``a`` shifted right by ``k`` along the last axis, filled with log(0)."""
    out = xp.full(a.shape, _NEG, dtype=a.dtype)
    out[:, k:] = a[:, :-k]
    return out


def _shift_left(xp, a, k):
    out = xp.full(a.shape, _NEG, dtype=a.dtype)
    out[:, :-k] = a[:, k:]
    return out


def _recursions(xp, lp_ext, skip, t_len, s_len):
    """log alpha and log beta, each (T, N, S); lp_ext[t, n, s] = log p(ext[n, s] at t)."""
    t_max, n, s_max = lp_ext.shape
    pos = xp.arange(s_max)[None, :]
    valid = pos < s_len[:, None]
    alpha = xp.full(lp_ext.shape, _NEG, dtype=lp_ext.dtype)
    alpha[0] = xp.where(pos < 2, lp_ext[0], _NEG)
    for t in range(1, t_max):
        prev = alpha[t - 1]
        terms = (prev, _shift(xp, prev, 1), xp.where(skip, _shift(xp, prev, 2), _NEG))
        alpha[t] = xp.where(valid, _logsumexp(xp, *terms) + lp_ext[t], _NEG)
    beta = xp.full(lp_ext.shape, _NEG, dtype=lp_ext.dtype)
    ends = (pos == s_len[:, None] - 1) | (pos == s_len[:, None] - 2)
    skip_next = _shift_left(xp, skip, 2)
    for t in range(t_max - 1, -1, -1):
        last = (t == t_len - 1)[:, None]
        if t + 1 < t_max:
            nxt = beta[t + 1]
            terms = (nxt, _shift_left(xp, nxt, 1),
                     xp.where(skip_next, _shift_left(xp, nxt, 2), _NEG))
            inner = _logsumexp(xp, *terms) + lp_ext[t]
        else:
            inner = xp.full((n, s_max), _NEG, dtype=lp_ext.dtype)
        start = xp.where(ends, lp_ext[t], _NEG)
        beta[t] = xp.where(valid, xp.where(last, start, inner), _NEG)
    return alpha, beta


@op("CTCLoss", inputs=("data", "label", "data_lengths", "label_lengths"), params=CTCLossParam,
    list_inputs=_inputs, num_outputs=2, num_visible_outputs=1, output_names=("output", "grad"),
    infer_shape=_ctc_shape, infer_type=lambda p, t: [t[0], t[0]],
    aliases=("ctc_loss", "_contrib_CTCLoss", "_contrib_ctc_loss"))
def ctc_loss(xp, params, data, label, *lengths):
    """Connectionist Temporal Classification Loss."""
    lengths = list(lengths)
    data_lengths = lengths.pop(0) if params.use_data_lengths else None
    label_lengths = lengths.pop(0) if params.use_label_lengths else None
    t_max, n, c = data.shape
    blank = 0 if params.blank_label == "first" else c - 1
    x = data.astype(np.float64)
    lp = x - x.max(axis=2, keepdims=True)
    lp = lp - xp.log(xp.exp(lp).sum(axis=2, keepdims=True))
    lab, lab_len = _labels(xp, params, label, label_lengths, blank)
    ext, skip = _extend(xp, lab, blank)
    t_len = xp.full((n,), t_max, dtype=np.int64) if data_lengths is None else \
        xp.clip(data_lengths.astype(np.int64), 0, t_max)
    s_len = 2 * lab_len + 1
    lp_ext = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (t_max,) + ext.shape), axis=2)
    alpha, beta = _recursions(xp, lp_ext, skip, t_len, s_len)
    rows = xp.arange(n)
    last = xp.clip(t_len - 1, 0, t_max - 1)
    log_like = _logsumexp(xp, alpha[last, rows, s_len - 1],
                          alpha[last, rows, xp.maximum(s_len - 2, 0)])
    ok = (log_like > _NEG / 2) & (lab_len > 0) & (t_len > 0)
    loss = xp.where(ok, -log_like, 0.0)
    # occupancy of each class at each time: sum over s with ext[s] = k of alpha*beta/p(s)/p
    gamma = xp.exp(xp.minimum(alpha + beta - lp_ext + loss[None, :, None], 0.0))
    onehot = (ext[:, :, None] == xp.arange(c)[None, None, :]).astype(np.float64)
    occ = xp.einsum("tns,nsc->tnc", gamma, onehot)
    active = (xp.arange(t_max)[:, None] < t_len[None, :]) & ok[None, :]
    grad = xp.where(active[:, :, None], xp.exp(lp) - occ, 0.0)
    return loss.astype(data.dtype), grad.astype(data.dtype)


@ctc_loss.gradient
def _(F, node, ograds):
    scale = F.reshape(ograds[0], shape=(1, -1, 1))
    return [F.broadcast_mul(node.output(1), scale)] + [None] * (len(node.inputs) - 1)
