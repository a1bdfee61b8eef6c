"""The fused RNN op: forward vs a per-gate NumPy reference, numeric gradients (float64),
shape inference (sizes checked against MXNet 1.9.1), dropout and error cases."""
import numpy as np
import pytest

import mixnet as mx
from mixnet.initializer.rnn import fused_rnn_layout
from mixnet.ops.nn import rnn_kernel

from .harness import Sample, parametrize, run_sample

T, N, I, H = 3, 2, 3, 2


# --- a plain reference: one named array per gate, one step at a time ----------------------
def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _unpack(flat, mode, layers, dirs):
    """Per-gate arrays by name ('l0_i2h_f_weight', ...), from the initializer's layout."""
    layout = fused_rnn_layout(flat.size, H, layers, mode, dirs == 2)
    return {name: flat[o:o + int(np.prod(s))].reshape(s) for name, o, s in layout}


def _cell(mode, w, pre, x, h, c):
    def lin(kind, g):
        return x @ w[f"{pre}_i2h{g}_weight"].T + w[f"{pre}_i2h{g}_bias"] if kind == "i" else \
            h @ w[f"{pre}_h2h{g}_weight"].T + w[f"{pre}_h2h{g}_bias"]
    if mode in ("rnn_tanh", "rnn_relu"):
        a = lin("i", "") + lin("h", "")
        return (np.tanh(a) if mode == "rnn_tanh" else np.maximum(a, 0)), None
    if mode == "lstm":
        i, f, g, o = (lin("i", k) + lin("h", k) for k in ("_i", "_f", "_c", "_o"))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        return _sigmoid(o) * np.tanh(c), c
    r = _sigmoid(lin("i", "_r") + lin("h", "_r"))
    z = _sigmoid(lin("i", "_z") + lin("h", "_z"))
    n = np.tanh(lin("i", "_o") + r * lin("h", "_o"))
    return (1 - z) * n + z * h, None


def rnn_ref(data, flat, state, *rest, state_size, num_layers, mode, bidirectional=False,
            state_outputs=False, use_sequence_length=False, **_):
    cell0 = rest[0] if mode == "lstm" else None
    lengths = rest[-1].astype(int) if use_sequence_length else [data.shape[0]] * data.shape[1]
    dirs = 2 if bidirectional else 1
    w = _unpack(flat, mode, num_layers, dirs)
    x, hy, cy = data, [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            out = np.zeros(x.shape[:2] + (state_size,))
            for b in range(x.shape[1]):
                h, c = state[k, b:b + 1], None if cell0 is None else cell0[k, b:b + 1]
                steps = range(lengths[b])
                for t in (reversed(steps) if d else steps):
                    h, c = _cell(mode, w, f"{'lr'[d]}{layer}", x[t, b:b + 1], h, c)
                    out[t, b] = h[0]
                hy.append((k, b, h[0]))
                cy.append((k, b, None if c is None else c[0]))
            outs.append(out)
        x = np.concatenate(outs, axis=2)
    hys = np.zeros(state.shape)
    cys = np.zeros(state.shape)
    for (k, b, h), (_, _, c) in zip(hy, cy):
        hys[k, b] = h
        if c is not None:
            cys[k, b] = c
    if not state_outputs:
        return x
    return (x, hys, cys) if mode == "lstm" else (x, hys)


def _shapes(mode, layers=1, bidirectional=False, proj=None, seq=False):
    dirs = 2 if bidirectional else 1
    size = rnn_kernel.param_size(mode, layers, dirs, I, H, proj)
    rec = proj or H
    shapes = [(T, N, I), (size,), (layers * dirs, N, rec)]
    if mode == "lstm":
        shapes.append((layers * dirs, N, H))
    if seq:
        shapes.append(np.array([2.0, 3.0]))
    return shapes


def _sample(mode, layers=1, bidirectional=False, seq=False, **extra):
    params = dict(state_size=H, num_layers=layers, mode=mode, bidirectional=bidirectional,
                  state_outputs=True, use_sequence_length=seq, **extra)
    shapes = _shapes(mode, layers, bidirectional, extra.get("projection_size"), seq)
    n_float = len(shapes) - seq
    ref = None if extra else rnn_ref
    return Sample("RNN", shapes, params, ref=ref, grad_inputs=list(range(n_float)),
                  low=-0.8, high=0.8, grad_rtol=1e-4, grad_atol=1e-6,
                  id=f"{mode}-L{layers}-bi{int(bidirectional)}-seq{int(seq)}-{sorted(extra)}")


SAMPLES = [
    _sample(mode, layers, bi)
    for mode in ("rnn_relu", "rnn_tanh", "lstm", "gru")
    for layers, bi in ((1, False), (2, True))
] + [
    _sample("lstm", 1, True, seq=True),
    _sample("gru", 2, False, seq=True),
    _sample("lstm", 2, False, projection_size=1),
    _sample("lstm", 1, False, lstm_state_clip_min=-0.2, lstm_state_clip_max=0.3),
    Sample("RNN", _shapes("gru"), {"state_size": H, "num_layers": 1, "mode": "gru"},
           ref=rnn_ref, id="gru-output-only"),
]


@parametrize(SAMPLES)
def test_op(sample):
    run_sample(sample)


def _rnn_args(mode, rng, **kw):
    shapes = _shapes(mode, **kw)
    return [mx.nd.array(rng.uniform(-1, 1, s)) if isinstance(s, tuple) else mx.nd.array(s)
            for s in shapes]


def test_backward_op_matches_autograd():
    rng = np.random.RandomState(0)
    args = _rnn_args("lstm", rng)
    params = {"state_size": H, "num_layers": 1, "mode": "lstm", "state_outputs": True}
    for a in args:
        a.attach_grad()
    with mx.autograd.record():
        outs = mx.nd.RNN(*args, **params)
    heads = [mx.nd.array(rng.uniform(-1, 1, o.shape)) for o in outs]
    mx.autograd.backward(outs, heads)
    direct = mx.nd._backward_RNN(*args, *heads, **params)
    for a, g in zip(args, direct):
        np.testing.assert_allclose(a.grad.asnumpy(), g.asnumpy(), rtol=1e-5, atol=1e-6)


Sample("_backward_RNN", [], id="tested-by-test_backward_op_matches_autograd")


def test_sequence_length_equals_truncated_sequences():
    rng = np.random.RandomState(1)
    params = {"state_size": H, "num_layers": 2, "mode": "gru", "bidirectional": True,
                  "state_outputs": True}
    data, flat, state = _rnn_args("gru", rng, layers=2, bidirectional=True)
    lengths = mx.nd.array([1, 3])
    out, hy = mx.nd.RNN(data, flat, state, lengths, use_sequence_length=True, **params)
    short, short_hy = mx.nd.RNN(data[:1, :1], flat, state[:, :1], **params)
    np.testing.assert_allclose(out.asnumpy()[:1, :1], short.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hy.asnumpy()[:, :1], short_hy.asnumpy(), rtol=1e-5, atol=1e-6)
    assert not out.asnumpy()[1:, 0].any()   # past the length: zeros


def test_lstm_state_clip_bounds_cell_state():
    rng = np.random.RandomState(2)
    args = _rnn_args("lstm", rng)
    args[0] *= 5
    _, _, cy = mx.nd.RNN(*args, state_size=H, num_layers=1, mode="lstm", state_outputs=True,
                         lstm_state_clip_min=-0.1, lstm_state_clip_max=0.05)
    assert cy.asnumpy().min() >= -0.1 and cy.asnumpy().max() <= 0.05


def _kernel_config(mode, layers, dirs):
    return type("Cfg", (), {"mode": mode, "num_layers": layers, "dirs": dirs, "state_size": H,
                                "proj": None, "clip": None})


def test_kernel_gradient_with_dropout_masks():
    """BPTT with fixed dropout masks between layers vs central differences."""
    rng = np.random.RandomState(3)
    cfg = _kernel_config("lstm", 2, 2)
    data = rng.uniform(-1, 1, (T, N, I))
    flat = rng.uniform(-0.5, 0.5, rnn_kernel.param_size("lstm", 2, 2, I, H))
    h0, c0 = rng.uniform(-1, 1, (2, 4, N, H))
    masks = (rng.uniform(size=(1, T, N, 2 * H)) > 0.5) * 2.0
    dout = rng.uniform(-1, 1, (T, N, 2 * H))
    dhy, dcy = rng.uniform(-1, 1, (2, 4, N, H))

    def objective():
        out, hy, cy, _ = rnn_kernel.forward(np, cfg, data, flat, h0, c0, None, masks)
        return (out * dout).sum() + (hy * dhy).sum() + (cy * dcy).sum()

    grads = rnn_kernel.backward(np, cfg, data, flat, h0, c0, None, masks, dout, dhy, dcy)
    for x, g in zip((data, flat, h0, c0), grads):
        flat_x, numeric = x.reshape(-1), np.zeros(x.size)
        for k in range(0, x.size, max(1, x.size // 40)):
            old = flat_x[k]
            flat_x[k] = old + 1e-6
            plus = objective()
            flat_x[k] = old - 1e-6
            numeric[k] = (plus - objective()) / 2e-6
            flat_x[k] = old
            np.testing.assert_allclose(g.reshape(-1)[k], numeric[k], rtol=1e-5, atol=1e-7)


def test_dropout_in_training_only_and_backward_uses_its_mask():
    mx.random.seed(5)
    rng = np.random.RandomState(4)
    params = {"state_size": H, "num_layers": 2, "mode": "rnn_tanh"}
    data, flat, state = _rnn_args("rnn_tanh", rng, layers=2)
    without = mx.nd.RNN(data, flat, state, **params).asnumpy()
    np.testing.assert_allclose(mx.nd.RNN(data, flat, state, p=0.5, **params).asnumpy(),
                               without)
    data.attach_grad()
    with mx.autograd.record():
        out = mx.nd.RNN(data, flat, state, p=0.5, **params)
    out.backward()
    assert not np.allclose(out.asnumpy(), without)
    assert np.abs(data.grad.asnumpy()).sum() > 0
    # everything between the layers dropped: the output no longer depends on the data
    with mx.autograd.record():
        out = mx.nd.RNN(data, flat, state, p=1.0, **params)
    out.backward()
    assert not data.grad.asnumpy().any()
    sym = mx.sym.RNN(mx.sym.var("data"), p=0.5, name="r", **params)
    assert sym.list_outputs() == ["r_output"]   # the mask stays hidden


def test_shape_inference_matches_mxnet():
    data = mx.sym.var("data")
    # parameter sizes from MXNet 1.9.1
    cases = [({"mode": "lstm", "bidirectional": True}, 832),
             ({"mode": "gru", "bidirectional": True}, 624),
             ({"mode": "rnn_tanh", "bidirectional": True}, 208),
             ({"mode": "lstm", "projection_size": 2}, 272)]
    for kw, size in cases:
        sym = mx.sym.RNN(data, state_size=4, num_layers=2, state_outputs=True, name="r", **kw)
        args, outs, _ = sym.infer_shape(data=(5, 3, 6))
        assert args[1] == (size,)
        rec = kw.get("projection_size", 4)
        dirs = 2 if kw.get("bidirectional") else 1
        assert outs[0] == (5, 3, dirs * rec) and outs[1] == (2 * dirs, 3, rec)
    sym = mx.sym.RNN(data, state_size=4, num_layers=1, mode="lstm", state_outputs=True,
                     use_sequence_length=True, name="r")
    assert sym.list_arguments() == ["data", "r_parameters", "r_state", "r_state_cell",
                                    "r_sequence_length"]
    assert sym.list_outputs() == ["r_output", "r_state_output", "r_statecell_output"]
    assert sym.infer_shape(data=(5, 3, 6))[0][-1] == (3,)


def test_symbolic_executor_matches_imperative():
    rng = np.random.RandomState(6)
    params = {"state_size": H, "num_layers": 2, "mode": "gru", "bidirectional": True}
    args = _rnn_args("gru", rng, layers=2, bidirectional=True)
    sym = mx.sym.RNN(mx.sym.var("data"), mx.sym.var("w"), mx.sym.var("s"), **params)
    exe = sym.bind(mx.cpu(), dict(zip(["data", "w", "s"], args)),
                   args_grad={"w": mx.nd.zeros(args[1].shape)})
    out = exe.forward(is_train=True)[0]
    head = mx.nd.array(rng.uniform(-1, 1, out.shape))
    exe.backward(head)
    args[1].attach_grad()
    with mx.autograd.record():
        ref = mx.nd.RNN(*args, **params)
    ref.backward(head)
    np.testing.assert_allclose(out.asnumpy(), ref.asnumpy(), rtol=1e-5)
    np.testing.assert_allclose(exe.grad_dict["w"].asnumpy(), args[1].grad.asnumpy(), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("kwargs, shape, words", [
    ({"mode": "lstm"}, (3, 6), ["rank-3", "(3, 6)"]),
    ({"mode": "lstm", "p": 1.5}, (2, 3, 6), ["p", "1.5"]),
    ({"mode": "gru", "projection_size": 2}, (2, 3, 6), ["projection_size", "lstm"]),
])
def test_errors_name_the_problem(kwargs, shape, words):
    sym = mx.sym.RNN(mx.sym.var("data"), state_size=4, num_layers=1, name="r", **kwargs)
    with pytest.raises(mx.base.MXNetError) as err:
        sym.infer_shape(data=shape)
    for word in words:
        assert word in str(err.value)


def test_unknown_or_missing_arguments():
    x = mx.nd.ones((2, 1, 3))
    with pytest.raises(mx.base.MXNetError, match="state_size"):
        mx.nd.RNN(x, num_layers=1, mode="lstm")
    with pytest.raises(mx.base.MXNetError, match="mode"):
        mx.nd.RNN(x, state_size=2, num_layers=1, mode="lstmx")
    with pytest.raises(mx.base.MXNetError, match="foo"):
        mx.nd.RNN(x, state_size=2, num_layers=1, mode="lstm", foo=1)
