"""``FusedRNN``: initialize the flat parameter vector of the fused ``RNN`` op by
initializing each gate's weight and bias as a separate array.

Layer 9.
"""
import numpy as np

from ..base import string_types
from .. import ndarray as nd
from .base import Initializer, InitDesc, register, create

__all__ = ["FusedRNN"]

_GATES = {'rnn_relu': [''], 'rnn_tanh': [''], 'lstm': ['_i', '_f', '_c', '_o'],
          'gru': ['_r', '_z', '_o']}


def fused_rnn_layout(size, num_hidden, num_layers, mode, bidirectional):
    """[(name, offset, shape)] of every gate's weight and bias in the fused RNN parameter
    vector of ``size`` elements, in the RNN op's order (all weights, then all biases)."""
    if mode not in _GATES:
        raise ValueError(f"FusedRNN: mode must be one of {sorted(_GATES)}, got {mode!r}")
    gates = _GATES[mode]
    dirs = ['l', 'r'] if bidirectional else ['l']
    b, m, h = len(dirs), len(gates), num_hidden
    num_input = size // b // h // m - (num_layers - 1) * (h + b * h + 2) - h - 2
    layout, p = [], 0
    for layer in range(num_layers):
        in_shape = (h, num_input) if layer == 0 else (h, b * h)
        for d in dirs:
            for kind, shape in (('i2h', in_shape), ('h2h', (h, h))):
                for gate in gates:
                    layout.append((f'{d}{layer}_{kind}{gate}_weight', p, shape))
                    p += shape[0] * shape[1]
    for layer in range(num_layers):
        for d in dirs:
            for kind in ('i2h', 'h2h'):
                for gate in gates:
                    layout.append((f'{d}{layer}_{kind}{gate}_bias', p, (h,)))
                    p += h
    if p != size:
        raise ValueError(f"Invalid parameters size for FusedRNNCell: {size} elements do not "
                         f"fit num_hidden={num_hidden}, num_layers={num_layers}, mode={mode}, "
                         f"bidirectional={bidirectional}")
    return layout


@register
class FusedRNN(Initializer):
    """Initialize parameters for fused rnn layers.

    Parameters
    ----------
    init : Initializer
        Initializer applied to the unpacked weights; the global initializer when None.
    num_hidden : int
        Same as the FusedRNNCell's.
    num_layers : int
        Same as the FusedRNNCell's.
    mode : str
        'rnn_relu', 'rnn_tanh', 'lstm' or 'gru'.
    bidirectional : bool
        Same as the FusedRNNCell's.
    forget_bias : float
        Value of the LSTM forget gate biases.
    """

    def __init__(self, init, num_hidden, num_layers, mode, bidirectional=False,
                 forget_bias=1.0):
        if isinstance(init, string_types):
            init = create(init)
        super().__init__(init=init.dumps() if init is not None else None,
                         num_hidden=num_hidden, num_layers=num_layers, mode=mode,
                         bidirectional=bidirectional, forget_bias=forget_bias)
        self._init = init
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._forget_bias = forget_bias

    def _init_weight(self, desc, arr):
        layout = fused_rnn_layout(arr.size, self._num_hidden, self._num_layers, self._mode,
                                  self._bidirectional)
        flat = np.empty((arr.size,), dtype=arr.dtype)
        global_init = getattr(desc, 'global_init', None)
        for name, offset, shape in layout:
            part = nd.empty(shape, ctx=arr.context, dtype=arr.dtype)
            if self._mode == 'lstm' and name.endswith("_f_bias"):
                part[:] = self._forget_bias
            elif self._init is None:
                global_init(InitDesc(name, global_init=global_init), part)
            else:
                self._init(InitDesc(name, global_init=global_init), part)
            flat[offset:offset + part.size] = part.asnumpy().reshape(-1)
        arr[:] = flat.reshape(arr.shape)
