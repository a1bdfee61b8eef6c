"""Kernels of the fused ``RNN`` op over ``xp``: the packed parameter layout, one cell step
(and its derivative) per mode, and the multi-layer, bidirectional unroll with explicit BPTT.

Shapes: data (T, N, I); the recurrent state has R = projection_size or state_size (H)
columns; gates are stacked along the last axis in MXNet's (cuDNN's) order: LSTM i, f, g, o;
GRU r, z, n. Imports nothing from mixnet beyond the standard library.
"""
import math

__all__ = ["GATES", "backward", "forward", "param_layout", "param_size"]

GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


# --- packed parameter layout ---------------------------------------------------------------
def param_layout(mode, num_layers, dirs, input_size, state_size, proj=None):
    """``(layout, size)``: ``layout[layer][direction]`` maps wx, wh[, wr], bx, bh to
    ``(offset, shape)`` in the flat vector: every weight (per layer, per direction: i2h,
    h2h[, h2r]), then every bias (i2h, h2h), as MXNet packs them."""
    gh, rec = GATES[mode] * state_size, proj or state_size
    layout = [[{} for _ in range(dirs)] for _ in range(num_layers)]
    offset = 0
    for layer in range(num_layers):
        width = input_size if layer == 0 else dirs * rec
        shapes = [("wx", (gh, width)), ("wh", (gh, rec))]
        if proj:
            shapes.append(("wr", (proj, state_size)))
        for d in range(dirs):
            for name, shape in shapes:
                layout[layer][d][name] = (offset, shape)
                offset += math.prod(shape)
    for layer in range(num_layers):
        for d in range(dirs):
            for name in ("bx", "bh"):
                layout[layer][d][name] = (offset, (gh,))
                offset += gh
    return layout, offset


def param_size(mode, num_layers, dirs, input_size, state_size, proj=None):
    return param_layout(mode, num_layers, dirs, input_size, state_size, proj)[1]


def _views(flat, layout):
    return [[{k: flat[o:o + math.prod(s)].reshape(s) for k, (o, s) in cell.items()}
             for cell in layer] for layer in layout]


def _sigmoid(xp, x):
    return 0.5 * (xp.tanh(0.5 * x) + 1)   # no overflow warnings for large |x|


# --- one step of each cell: step(xp, xg, h, c, w, clip) -> h, c, cache ----------------------
# ``xg`` is the input projection x_t W_x^T + b_x, computed for all steps at once.
def _simple_step(act):
    def step(xp, xg, h, c, w, clip):
        a = xg + xp.matmul(h, w["wh"].T) + w["bh"]
        hn = xp.tanh(a) if act == "tanh" else xp.maximum(a, 0)
        return hn, None, (h, hn)
    return step


def _simple_back(act):
    def back(xp, dh, dc, cache, w, g):
        h, hn = cache
        da = dh * (1 - hn * hn) if act == "tanh" else dh * (hn > 0)
        g["wh"] += xp.matmul(da.T, h)
        g["bh"] += da.sum(axis=0)
        return da, xp.matmul(da, w["wh"]), None
    return back


def _clip_cell(xp, c, clip):
    """LSTM cell-state clipping (lstm_state_clip_*): the clipped state and where it passed."""
    lo, hi, stop_nan = clip
    passed = (c >= lo) & (c <= hi)
    clipped = xp.clip(c, lo, hi)
    if stop_nan:
        clipped = xp.where(xp.isnan(c), c.dtype.type(lo), clipped)
    return clipped, passed


def _lstm_step(xp, xg, h, c, w, clip):
    hs = c.shape[1]
    a = xg + xp.matmul(h, w["wh"].T) + w["bh"]
    i, f, o = (_sigmoid(xp, a[:, k * hs:(k + 1) * hs]) for k in (0, 1, 3))
    gg = xp.tanh(a[:, 2 * hs:3 * hs])
    cn = f * c + i * gg
    passed = None
    if clip is not None:
        cn, passed = _clip_cell(xp, cn, clip)
    tc = xp.tanh(cn)
    hr = o * tc
    hn = xp.matmul(hr, w["wr"].T) if "wr" in w else hr
    return hn, cn, (h, c, i, f, gg, o, tc, hr, passed)


def _lstm_back(xp, dh, dc, cache, w, g):
    h, c, i, f, gg, o, tc, hr, passed = cache
    if "wr" in w:
        g["wr"] += xp.matmul(dh.T, hr)
        dh = xp.matmul(dh, w["wr"])
    dc = dc + dh * o * (1 - tc * tc)
    if passed is not None:
        dc = dc * passed
    da = xp.concatenate([dc * gg * i * (1 - i), dc * c * f * (1 - f),
                         dc * i * (1 - gg * gg), dh * tc * o * (1 - o)], axis=1)
    g["wh"] += xp.matmul(da.T, h)
    g["bh"] += da.sum(axis=0)
    return da, xp.matmul(da, w["wh"]), dc * f


def _gru_step(xp, xg, h, c, w, clip):
    hs = h.shape[1]
    ah = xp.matmul(h, w["wh"].T) + w["bh"]
    r = _sigmoid(xp, xg[:, :hs] + ah[:, :hs])
    z = _sigmoid(xp, xg[:, hs:2 * hs] + ah[:, hs:2 * hs])
    n = xp.tanh(xg[:, 2 * hs:] + r * ah[:, 2 * hs:])
    return (1 - z) * n + z * h, None, (h, r, z, n, ah[:, 2 * hs:])


def _gru_back(xp, dh, dc, cache, w, g):
    h, r, z, n, ahn = cache
    dan = dh * (1 - z) * (1 - n * n)
    dar = dan * ahn * r * (1 - r)
    daz = dh * (h - n) * z * (1 - z)
    dxg = xp.concatenate([dar, daz, dan], axis=1)
    dah = xp.concatenate([dar, daz, dan * r], axis=1)
    g["wh"] += xp.matmul(dah.T, h)
    g["bh"] += dah.sum(axis=0)
    return dxg, dh * z + xp.matmul(dah, w["wh"]), None


CELLS = {"rnn_relu": (_simple_step("relu"), _simple_back("relu")),
         "rnn_tanh": (_simple_step("tanh"), _simple_back("tanh")),
         "lstm": (_lstm_step, _lstm_back), "gru": (_gru_step, _gru_back)}


# --- one direction of one layer -------------------------------------------------------------
def _order(steps, reverse):
    return range(steps - 1, -1, -1) if reverse else range(steps)


def _run(xp, mode, x, w, h, c, active, reverse, clip, keep):
    """Unroll one direction over x (T, N, in); returns (out, h, c, caches)."""
    step = CELLS[mode][0]
    xg = xp.matmul(x, w["wx"].T) + w["bx"]
    out = xp.zeros(x.shape[:2] + (h.shape[1],), dtype=x.dtype)
    caches = [None] * x.shape[0]
    for t in _order(x.shape[0], reverse):
        hn, cn, cache = step(xp, xg[t], h, c, w, clip)
        if active is not None:   # past a sequence's length: keep the state, output zeros
            m = active[t]
            hn = xp.where(m, hn, h)
            cn = None if c is None else xp.where(m, cn, c)
            out[t] = xp.where(m, hn, 0)
        else:
            out[t] = hn
        h, c = hn, cn
        if keep:
            caches[t] = cache
    return out, h, c, caches


def _run_back(xp, mode, x, w, g, caches, dout, dh, dc, active, reverse):
    """BPTT through one direction; accumulates weight gradients into g, returns (dx, dh0, dc0)."""
    back = CELLS[mode][1]
    dxg = xp.zeros(x.shape[:2] + (w["wx"].shape[0],), dtype=x.dtype)
    for t in _order(x.shape[0], not reverse):
        if active is not None:   # inverse of _run's masking: held rows pass dh through
            m = active[t]
            dh = dh + xp.where(m, dout[t], 0)
            held_h, dh = xp.where(m, 0, dh), xp.where(m, dh, 0)
            if dc is not None:
                held_c, dc = xp.where(m, 0, dc), xp.where(m, dc, 0)
        else:
            dh = dh + dout[t]
        dxg[t], dh, dc = back(xp, dh, dc, caches[t], w, g)
        if active is not None:
            dh = dh + held_h
            if dc is not None:
                dc = dc + held_c
    g["wx"] += xp.matmul(dxg.reshape(-1, dxg.shape[2]).T, x.reshape(-1, x.shape[2]))
    g["bx"] += dxg.sum(axis=(0, 1))
    return xp.matmul(dxg, w["wx"]), dh, dc


# --- the whole stack ----------------------------------------------------------------------
def _active(xp, steps, lengths):
    if lengths is None:
        return None
    pos = xp.arange(steps).reshape(-1, 1, 1)
    return pos < lengths.astype("int64").reshape(1, -1, 1)


def forward(xp, cfg, data, flat, h0, c0, lengths, masks, keep=False):
    """Run the stack. ``cfg``: mode, num_layers, dirs, state_size, proj, clip.
    ``masks`` (L-1, T, N, D*R) scale each layer's output before the next layer, or None.
    Returns (out, hy, cy or None, caches); caches only when ``keep``."""
    layout, _ = param_layout(cfg.mode, cfg.num_layers, cfg.dirs, data.shape[2],
                             cfg.state_size, cfg.proj)
    weights = _views(flat, layout)
    active = _active(xp, data.shape[0], lengths)
    x, hy, cy, caches = data, [], [], []
    for layer in range(cfg.num_layers):
        outs, layer_caches = [], []
        for d in range(cfg.dirs):
            k = layer * cfg.dirs + d
            o, h, c, cache = _run(xp, cfg.mode, x, weights[layer][d], h0[k],
                                  None if c0 is None else c0[k], active, d == 1, cfg.clip, keep)
            outs.append(o)
            hy.append(h)
            cy.append(c)
            layer_caches.append(cache)
        caches.append((x, layer_caches))
        x = outs[0] if cfg.dirs == 1 else xp.concatenate(outs, axis=2)
        if masks is not None and layer < cfg.num_layers - 1:
            x = x * masks[layer]
    return x, xp.stack(hy), (None if c0 is None else xp.stack(cy)), caches


def backward(xp, cfg, data, flat, h0, c0, lengths, masks, dout, dhy, dcy):
    """Gradients (d data, d flat, d h0, d c0 or None) by recomputing the forward, then BPTT."""
    _, _, _, caches = forward(xp, cfg, data, flat, h0, c0, lengths, masks, keep=True)
    layout, _ = param_layout(cfg.mode, cfg.num_layers, cfg.dirs, data.shape[2],
                             cfg.state_size, cfg.proj)
    weights = _views(flat, layout)
    dflat = xp.zeros_like(flat)
    grads = _views(dflat, layout)
    dh0 = xp.zeros_like(h0)
    dc0 = None if c0 is None else xp.zeros_like(c0)
    active = _active(xp, data.shape[0], lengths)
    rec = h0.shape[2]
    dy = dout
    for layer in range(cfg.num_layers - 1, -1, -1):
        x, layer_caches = caches[layer]
        dx = xp.zeros_like(x)
        for d in range(cfg.dirs):
            k = layer * cfg.dirs + d
            ddx, dh, dc = _run_back(xp, cfg.mode, x, weights[layer][d], grads[layer][d],
                                    layer_caches[d], dy[..., d * rec:(d + 1) * rec], dhy[k],
                                    None if dcy is None else dcy[k], active, d == 1)
            dx += ddx
            dh0[k] = dh
            if dc0 is not None:
                dc0[k] = dc
        dy = dx if (masks is None or layer == 0) else dx * masks[layer - 1]
    return dy, dflat, dh0, dc0
