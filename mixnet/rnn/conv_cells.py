"""Convolutional stepping cells of ``mx.rnn`` (Xingjian et al. NIPS 2015): ``ConvRNNCell``,
``ConvLSTMCell`` and ``ConvGRUCell``, with Convolution in place of FullyConnected.

Layer 11: imports symbol.
"""
import functools

from .. import symbol
from .base_cell import BaseRNNCell

__all__ = ["BaseConvRNNCell", "ConvGRUCell", "ConvLSTMCell", "ConvRNNCell"]

_LEAKY = functools.partial(symbol.LeakyReLU, act_type='leaky', slope=0.2)

_ARGS_DOC = """
    Parameters
    ----------
    input_shape : tuple of int
        Shape of input in single timestep.
    num_hidden : int
        Number of units in output symbol.
    h2h_kernel, h2h_dilate : tuple of int, default (3, 3), (1, 1)
        Kernel and dilation of the state-to-state Convolution (odd kernels only).
    i2h_kernel, i2h_stride, i2h_pad, i2h_dilate : tuple of int
        Kernel (3, 3), stride (1, 1), pad (1, 1), dilation (1, 1) of the input-to-state
        Convolution.
    i2h_weight_initializer, h2h_weight_initializer : str or Initializer
        Initializers of the input and recurrent Convolution weights.
    i2h_bias_initializer, h2h_bias_initializer : str or Initializer, default zeros
        Initializers of the biases.
    activation : str or Symbol, default LeakyReLU(act_type='leaky', slope=0.2)
        Type of activation function.
    prefix : str
        Prefix for name of layers (and name of weight if params is None).
    params : RNNParams, default None
        Container for weight sharing between cells. Created if None.
    conv_layout : str, default 'NCHW'
        Layout of ConvolutionOp
"""


class BaseConvRNNCell(BaseRNNCell):
    """Abstract base class for Convolutional RNN cells."""

    def __init__(self, input_shape, num_hidden, h2h_kernel=(3, 3), h2h_dilate=(1, 1),
                 i2h_kernel=(3, 3), i2h_stride=(1, 1), i2h_pad=(1, 1), i2h_dilate=(1, 1),
                 i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer='zeros', h2h_bias_initializer='zeros',
                 activation=_LEAKY, prefix='', params=None, conv_layout='NCHW'):
        super().__init__(prefix=prefix, params=params)
        if h2h_kernel[0] % 2 != 1 or h2h_kernel[1] % 2 != 1:
            raise ValueError(f"Only support odd number, get h2h_kernel= {h2h_kernel!s}")
        self._h2h_kernel = h2h_kernel
        self._h2h_pad = (h2h_dilate[0] * (h2h_kernel[0] - 1) // 2,
                         h2h_dilate[1] * (h2h_kernel[1] - 1) // 2)
        self._h2h_dilate = h2h_dilate
        self._i2h_kernel = i2h_kernel
        self._i2h_stride = i2h_stride
        self._i2h_pad = i2h_pad
        self._i2h_dilate = i2h_dilate
        self._num_hidden = num_hidden
        self._input_shape = input_shape
        self._conv_layout = conv_layout
        self._activation = activation
        # the state has the shape of the i2h convolution's output, any batch size
        probe = symbol.Convolution(data=symbol.Variable('data'), num_filter=num_hidden,
                                   kernel=i2h_kernel, stride=i2h_stride, pad=i2h_pad,
                                   dilate=i2h_dilate, layout=conv_layout)
        self._state_shape = (0,) + tuple(probe.infer_shape(data=input_shape)[1][0][1:])
        self._iW = self.params.get('i2h_weight', init=i2h_weight_initializer)
        self._hW = self.params.get('h2h_weight', init=h2h_weight_initializer)
        self._iB = self.params.get('i2h_bias', init=i2h_bias_initializer)
        self._hB = self.params.get('h2h_bias', init=h2h_bias_initializer)

    @property
    def _num_gates(self):
        return len(self._gate_names)

    @property
    def state_info(self):
        return [{'shape': self._state_shape, '__layout__': self._conv_layout}
                for _ in range(self._num_states)]

    _num_states = 2

    def _conv_forward(self, inputs, states, name):
        width = self._num_hidden * self._num_gates
        i2h = symbol.Convolution(name=f'{name}i2h', data=inputs, num_filter=width,
                                 kernel=self._i2h_kernel, stride=self._i2h_stride,
                                 pad=self._i2h_pad, dilate=self._i2h_dilate, weight=self._iW,
                                 bias=self._iB, layout=self._conv_layout)
        h2h = symbol.Convolution(name=f'{name}h2h', data=states[0], num_filter=width,
                                 kernel=self._h2h_kernel, dilate=self._h2h_dilate,
                                 pad=self._h2h_pad, stride=(1, 1), weight=self._hW,
                                 bias=self._hB, layout=self._conv_layout)
        return i2h, h2h

    def __call__(self, inputs, states):
        raise NotImplementedError("BaseConvRNNCell is abstract class for convolutional RNN")


class ConvRNNCell(BaseConvRNNCell):
    __doc__ = "Convolutional RNN cells.\n" + _ARGS_DOC
    _num_states = 1

    def __init__(self, input_shape, num_hidden, *args, prefix='ConvRNN_', **kwargs):
        super().__init__(input_shape, num_hidden, *args, prefix=prefix, **kwargs)

    @property
    def _gate_names(self):
        return ('',)

    def __call__(self, inputs, states):
        self._counter += 1
        name = f'{self._prefix}t{self._counter}_'
        i2h, h2h = self._conv_forward(inputs, states, name)
        output = self._get_activation(i2h + h2h, self._activation, name=f'{name}out')
        return output, [output]


class ConvLSTMCell(BaseConvRNNCell):
    __doc__ = "Convolutional LSTM network cell (Xingjian et al. NIPS2015).\n" + _ARGS_DOC

    def __init__(self, input_shape, num_hidden, *args, prefix='ConvLSTM_', **kwargs):
        super().__init__(input_shape, num_hidden, *args, prefix=prefix, **kwargs)

    @property
    def _gate_names(self):
        return ['_i', '_f', '_c', '_o']

    def __call__(self, inputs, states):
        self._counter += 1
        name = f'{self._prefix}t{self._counter}_'
        i2h, h2h = self._conv_forward(inputs, states, name)
        gates = symbol.SliceChannel(i2h + h2h, num_outputs=4,
                                    axis=self._conv_layout.find('C'), name=f'{name}slice')
        in_gate = symbol.Activation(gates[0], act_type='sigmoid', name=f'{name}i')
        forget_gate = symbol.Activation(gates[1], act_type='sigmoid', name=f'{name}f')
        in_transform = self._get_activation(gates[2], self._activation, name=f'{name}c')
        out_gate = symbol.Activation(gates[3], act_type='sigmoid', name=f'{name}o')
        next_c = symbol._internal._plus(forget_gate * states[1], in_gate * in_transform,
                                        name=f'{name}state')
        next_h = symbol._internal._mul(out_gate, self._get_activation(next_c, self._activation),
                                       name=f'{name}out')
        return next_h, [next_h, next_c]


class ConvGRUCell(BaseConvRNNCell):
    __doc__ = "Convolutional Gated Rectified Unit (GRU) network cell.\n" + _ARGS_DOC
    _num_states = 1

    def __init__(self, input_shape, num_hidden, *args, prefix='ConvGRU_', **kwargs):
        super().__init__(input_shape, num_hidden, *args, prefix=prefix, **kwargs)

    @property
    def _gate_names(self):
        return ['_r', '_z', '_o']

    def __call__(self, inputs, states):
        self._counter += 1
        name = f'{self._prefix}t{self._counter}_'
        i2h, h2h = self._conv_forward(inputs, states, name)
        i2h_r, i2h_z, i2h = symbol.SliceChannel(i2h, num_outputs=3, name=f'{name}_i2h_slice')
        h2h_r, h2h_z, h2h = symbol.SliceChannel(h2h, num_outputs=3, name=f'{name}_h2h_slice')
        reset_gate = symbol.Activation(i2h_r + h2h_r, act_type='sigmoid', name=f'{name}_r_act')
        update_gate = symbol.Activation(i2h_z + h2h_z, act_type='sigmoid',
                                        name=f'{name}_z_act')
        next_h_tmp = self._get_activation(i2h + reset_gate * h2h, self._activation,
                                          name=f'{name}_h_act')
        next_h = symbol._internal._plus((1. - update_gate) * next_h_tmp,
                                        update_gate * states[0], name=f'{name}out')
        return next_h, [next_h]
