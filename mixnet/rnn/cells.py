"""The stepping cells of ``mx.rnn``: ``RNNCell``, ``LSTMCell`` and ``GRUCell``, each one
time step of FullyConnected layers on Symbols (i2h on the input, h2h on the state).

Layer 11: imports symbol and initializer.
"""
from .. import initializer as init
from .. import symbol
from .base_cell import BaseRNNCell

__all__ = ["GRUCell", "LSTMCell", "RNNCell"]


class _DenseCell(BaseRNNCell):
    """Shared parts: i2h/h2h weights and biases, ``num_hidden`` states of layout NC."""

    _num_states = 1

    def __init__(self, num_hidden, prefix, params, i2h_bias_init=None):
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._iW = self.params.get('i2h_weight')
        self._hW = self.params.get('h2h_weight')
        if i2h_bias_init is None:
            self._iB = self.params.get('i2h_bias')
        else:
            self._iB = self.params.get('i2h_bias', init=i2h_bias_init)
        self._hB = self.params.get('h2h_bias')

    @property
    def state_info(self):
        return [{'shape': (0, self._num_hidden), '__layout__': 'NC'}
                for _ in range(self._num_states)]

    def _projections(self, inputs, state, name, i2h_name='i2h', h2h_name='h2h'):
        width = self._num_hidden * len(self._gate_names)
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=width, name=f'{name}{i2h_name}')
        h2h = symbol.FullyConnected(data=state, weight=self._hW, bias=self._hB,
                                    num_hidden=width, name=f'{name}{h2h_name}')
        return i2h, h2h


class RNNCell(_DenseCell):
    """Simple recurrent neural network cell.

    Parameters
    ----------
    num_hidden : int
        Number of units in output symbol.
    activation : str or Symbol, default 'tanh'
        Type of activation function. Options are 'relu' and 'tanh'.
    prefix : str, default ``'rnn_'``
        Prefix for name of layers (and name of weight if params is None).
    params : RNNParams, default None
        Container for weight sharing between cells. Created if None.
    """

    def __init__(self, num_hidden, activation='tanh', prefix='rnn_', params=None):
        super().__init__(num_hidden, prefix, params)
        self._activation = activation

    @property
    def _gate_names(self):
        return ('',)

    def __call__(self, inputs, states):
        self._counter += 1
        name = f'{self._prefix}t{self._counter}_'
        i2h, h2h = self._projections(inputs, states[0], name)
        output = self._get_activation(i2h + h2h, self._activation, name=f'{name}out')
        return output, [output]


class LSTMCell(_DenseCell):
    """Long-Short Term Memory (LSTM) network cell.

    Parameters
    ----------
    num_hidden : int
        Number of units in output symbol.
    prefix : str, default ``'lstm_'``
        Prefix for name of layers (and name of weight if params is None).
    params : RNNParams, default None
        Container for weight sharing between cells. Created if None.
    forget_bias : float, default 1.0
        Bias added to the forget gate (through the i2h bias initializer); Jozefowicz et
        al. 2015 recommend 1.0.
    """

    _num_states = 2

    def __init__(self, num_hidden, prefix='lstm_', params=None, forget_bias=1.0):
        super().__init__(num_hidden, prefix, params,
                         i2h_bias_init=init.LSTMBias(forget_bias=forget_bias))

    @property
    def _gate_names(self):
        return ['_i', '_f', '_c', '_o']

    def __call__(self, inputs, states):
        self._counter += 1
        name = f'{self._prefix}t{self._counter}_'
        i2h, h2h = self._projections(inputs, states[0], name)
        gates = symbol.SliceChannel(i2h + h2h, num_outputs=4, name=f'{name}slice')
        in_gate = symbol.Activation(gates[0], act_type='sigmoid', name=f'{name}i')
        forget_gate = symbol.Activation(gates[1], act_type='sigmoid', name=f'{name}f')
        in_transform = symbol.Activation(gates[2], act_type='tanh', name=f'{name}c')
        out_gate = symbol.Activation(gates[3], act_type='sigmoid', name=f'{name}o')
        next_c = symbol._internal._plus(forget_gate * states[1], in_gate * in_transform,
                                        name=f'{name}state')
        next_h = symbol._internal._mul(out_gate, symbol.Activation(next_c, act_type='tanh'),
                                       name=f'{name}out')
        return next_h, [next_h, next_c]


class GRUCell(_DenseCell):
    """Gated Rectified Unit (GRU) network cell, the cuDNN variant of Cho et al. 2014.

    Parameters
    ----------
    num_hidden : int
        Number of units in output symbol.
    prefix : str, default ``'gru_'``
        Prefix for name of layers (and name of weight if params is None).
    params : RNNParams, default None
        Container for weight sharing between cells. Created if None.
    """

    def __init__(self, num_hidden, prefix='gru_', params=None):
        super().__init__(num_hidden, prefix, params)

    @property
    def _gate_names(self):
        return ['_r', '_z', '_o']

    def __call__(self, inputs, states):
        self._counter += 1
        name = f'{self._prefix}t{self._counter}_'
        prev_h = states[0]
        i2h, h2h = self._projections(inputs, prev_h, name, '_i2h', '_h2h')
        i2h_r, i2h_z, i2h = symbol.SliceChannel(i2h, num_outputs=3, name=f'{name}_i2h_slice')
        h2h_r, h2h_z, h2h = symbol.SliceChannel(h2h, num_outputs=3, name=f'{name}_h2h_slice')
        reset_gate = symbol.Activation(i2h_r + h2h_r, act_type='sigmoid', name=f'{name}_r_act')
        update_gate = symbol.Activation(i2h_z + h2h_z, act_type='sigmoid',
                                        name=f'{name}_z_act')
        next_h_tmp = symbol.Activation(i2h + reset_gate * h2h, act_type='tanh',
                                       name=f'{name}_h_act')
        next_h = symbol._internal._plus((1. - update_gate) * next_h_tmp,
                                        update_gate * prev_h, name=f'{name}out')
        return next_h, [next_h]
