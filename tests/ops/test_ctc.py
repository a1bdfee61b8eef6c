"""CTCLoss against a brute-force NumPy reference (sum over every alignment path), its
gradient numerically, and its error cases."""
import itertools

import numpy as np
import pytest

import mixnet as mx

from .harness import Sample, parametrize, run_sample


def _collapse(path, blank):
    out, prev = [], None
    for k in path:
        if k != prev and k != blank:
            out.append(k)
        prev = k
    return out


def _brute_ctc(data, label, *lengths, use_data_lengths=False, use_label_lengths=False,
               blank_label="first"):
    """-log of the total probability of the alignments of each label (tiny T and C only)."""
    lengths = list(lengths)
    t_lens = lengths.pop(0) if use_data_lengths else None
    l_lens = lengths.pop(0) if use_label_lengths else None
    t_max, n, c = data.shape
    blank = 0 if blank_label == "first" else c - 1
    pad = 0 if blank_label == "first" else -1
    losses = []
    for b in range(n):
        lab = [int(v) for v in label[b]]
        lab = lab[:int(l_lens[b])] if l_lens is not None else \
            (lab[:lab.index(pad)] if pad in lab else lab)
        steps = int(t_lens[b]) if t_lens is not None else t_max
        x = data[:steps, b].astype(np.float64)
        prob = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
        total = sum(np.prod(prob[np.arange(steps), list(path)])
                    for path in itertools.product(range(c), repeat=steps)
                    if _collapse(path, blank) == lab)
        losses.append(-np.log(total) if total > 0 and lab else 0.0)
    return np.array(losses, dtype=data.dtype)


SAMPLES = [
    Sample("CTCLoss", [(4, 2, 3), np.array([[1, 2], [2, 0]], np.float32)], ref=_brute_ctc,
           grad_inputs=[0], rtol=1e-4, id="first"),
    Sample("CTCLoss", [(5, 2, 3), np.array([[1, 1], [0, -1]], np.float32)],
           {"blank_label": "last"}, ref=_brute_ctc, grad_inputs=[0], rtol=1e-4, id="last"),
    Sample("CTCLoss", [(4, 2, 3), np.array([[1, 2], [2, 2]], np.float32),
                       np.array([3, 4], np.float32), np.array([1, 2], np.float32)],
           {"use_data_lengths": True, "use_label_lengths": True}, ref=_brute_ctc,
           grad_inputs=[0], rtol=1e-4, id="lengths"),
    Sample("ctc_loss", [(3, 1, 3), np.array([[2, 2]], np.float32)], ref=_brute_ctc,
           grad_inputs=[0], rtol=1e-4, id="alias-repeat"),
]


@parametrize(SAMPLES)
def test_ctc_samples(sample):
    run_sample(sample)


def test_ctc_errors_name_the_op():
    with pytest.raises(mx.base.MXNetError, match="CTCLoss"):
        mx.nd.CTCLoss(mx.nd.ones((3, 4)), mx.nd.ones((3, 1)))
    with pytest.raises(mx.base.MXNetError, match="labels array must be 2"):
        mx.nd.CTCLoss(mx.nd.ones((3, 2, 4)), mx.nd.ones((2,)))
    with pytest.raises(mx.base.MXNetError, match="blank_label"):
        mx.nd.CTCLoss(mx.nd.ones((3, 2, 4)), mx.nd.ones((2, 1)), blank_label="middle")
