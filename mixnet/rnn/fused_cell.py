"""``FusedRNNCell``: a whole multi-layer (bidirectional) RNN as one ``RNN`` op over the
sequence, with its weights in one packed vector; ``unfuse()`` gives the equivalent stack of
stepping cells, whose per-gate weight names ``unpack_weights`` produces.

Layer 11: imports symbol, ndarray and initializer.
"""
import warnings

from .. import initializer as init
from .. import ndarray, symbol
from ..initializer.rnn import fused_rnn_layout
from .base_cell import BaseRNNCell, normalize_sequence
from .cells import GRUCell, LSTMCell, RNNCell
from .stack_cells import BidirectionalCell, DropoutCell, SequentialRNNCell

__all__ = ["FusedRNNCell"]

_GATE_NAMES = {'rnn_relu': [''], 'rnn_tanh': [''], 'lstm': ['_i', '_f', '_c', '_o'],
               'gru': ['_r', '_z', '_o']}


class FusedRNNCell(BaseRNNCell):
    """Fusing RNN layers across time step into one kernel.

    Parameters
    ----------
    num_hidden : int
        Number of units in output symbol.
    num_layers : int, default 1
        Number of layers in the cell.
    mode : str, default 'lstm'
        Type of RNN: 'rnn_relu', 'rnn_tanh', 'lstm' or 'gru'.
    bidirectional : bool, default False
        Whether to use bidirectional unroll (doubles the output size).
    dropout : float, default 0.
        Fraction of each layer's output (but the last's) dropped during training.
    get_next_state : bool, default False
        Whether to return the states that can be used as starting states next time.
    forget_bias : float, default 1.0
        Bias added to the LSTM forget gate.
    prefix : str, default ``'$mode_'`` such as ``'lstm_'``
        Prefix for names of layers (and of weights when ``params`` is None).
    params : RNNParams, default None
        Container for weight sharing between cells. Created if None.
    """

    def __init__(self, num_hidden, num_layers=1, mode='lstm', bidirectional=False,
                 dropout=0., get_next_state=False, forget_bias=1.0, prefix=None, params=None):
        if prefix is None:
            prefix = f'{mode}_'
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._dropout = dropout
        self._get_next_state = get_next_state
        self._directions = ['l', 'r'] if bidirectional else ['l']
        initializer = init.FusedRNN(None, num_hidden, num_layers, mode, bidirectional,
                                    forget_bias)
        self._parameter = self.params.get('parameters', init=initializer)

    @property
    def state_info(self):
        b = self._bidirectional + 1
        n = (self._mode == 'lstm') + 1
        return [{'shape': (b * self._num_layers, 0, self._num_hidden), '__layout__': 'LNC'}
                for _ in range(n)]

    @property
    def _gate_names(self):
        return _GATE_NAMES[self._mode]

    @property
    def _num_gates(self):
        return len(self._gate_names)

    def _slice_weights(self, arr):
        """Name -> view of ``arr`` (the packed vector) for every gate's weight and bias."""
        layout = fused_rnn_layout(arr.size, self._num_hidden, self._num_layers, self._mode,
                                  self._bidirectional)
        return {self._prefix + name: arr[offset:offset + _size(shape)].reshape(shape)
                for name, offset, shape in layout}

    def unpack_weights(self, args):
        args = args.copy()
        arr = args.pop(self._parameter.name)
        args.update({name: nd.copy() for name, nd in self._slice_weights(arr).items()})
        return args

    def pack_weights(self, args):
        args = args.copy()
        b, m, h = self._bidirectional + 1, self._num_gates, self._num_hidden
        w0 = args[f'{self._prefix}l0_i2h{self._gate_names[0]}_weight']
        num_input = w0.shape[1]
        total = (num_input + h + 2) * h * m * b + \
            (self._num_layers - 1) * m * h * (h + b * h + 2) * b
        arr = ndarray.zeros((total,), ctx=w0.context, dtype=w0.dtype)
        for name, nd in self._slice_weights(arr).items():
            nd[:] = args.pop(name)
        args[self._parameter.name] = arr
        return args

    def __call__(self, inputs, states):
        raise NotImplementedError("FusedRNNCell cannot be stepped. Please use unroll")

    def unroll(self, length, inputs, begin_state=None, layout='NTC', merge_outputs=None):
        self.reset()
        inputs, axis = normalize_sequence(length, inputs, layout, True)
        if axis == 1:
            warnings.warn("NTC layout detected. Consider using TNC for FusedRNNCell for "
                          "faster speed")
            inputs = symbol.swapaxes(inputs, dim1=0, dim2=1)
        elif axis != 0:
            raise ValueError(f"Unsupported layout {layout}")
        if begin_state is None:
            begin_state = self.begin_state()
        states = {'state': begin_state[0]}
        if self._mode == 'lstm':
            states['state_cell'] = begin_state[1]
        rnn = symbol.RNN(data=inputs, parameters=self._parameter, state_size=self._num_hidden,
                         num_layers=self._num_layers, bidirectional=self._bidirectional,
                         p=self._dropout, state_outputs=self._get_next_state, mode=self._mode,
                         name=self._prefix + 'rnn', **states)
        if not self._get_next_state:
            outputs, states = rnn, []
        else:
            n = 3 if self._mode == 'lstm' else 2
            states = [rnn[i] for i in range(1, n)]
            for s in states:
                s._set_attr(__layout__='LNC')
            outputs = rnn[0]
        if axis == 1:
            outputs = symbol.swapaxes(outputs, dim1=0, dim2=1)
        outputs, _ = normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def unfuse(self):
        """The equivalent stack of stepping cells (a SequentialRNNCell), which can be
        stepped and whose weights ``unpack_weights`` names."""
        make = {'rnn_relu': lambda p: RNNCell(self._num_hidden, activation='relu', prefix=p),
                'rnn_tanh': lambda p: RNNCell(self._num_hidden, activation='tanh', prefix=p),
                'lstm': lambda p: LSTMCell(self._num_hidden, prefix=p),
                'gru': lambda p: GRUCell(self._num_hidden, prefix=p)}[self._mode]
        stack = SequentialRNNCell()
        for i in range(self._num_layers):
            if self._bidirectional:
                stack.add(BidirectionalCell(make(f'{self._prefix}l{i}_'),
                                            make(f'{self._prefix}r{i}_'),
                                            output_prefix=f'{self._prefix}bi_l{i}_'))
            else:
                stack.add(make(f'{self._prefix}l{i}_'))
            if self._dropout > 0 and i != self._num_layers - 1:
                stack.add(DropoutCell(self._dropout, prefix=f'{self._prefix}_dropout{i}_'))
        return stack


def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n
