"""``RNNParams`` and ``BaseRNNCell``: the symbolic cell protocol of MXNet's legacy ``mx.rnn``
(a cell is called once per time step on Symbols; ``unroll`` steps it over a sequence).

Layer 11: imports symbol and ndarray.
"""
from .. import ndarray, symbol
from ..base import string_types

__all__ = ["BaseRNNCell", "RNNParams"]


def cells_state_info(cells):
    return [info for c in cells for info in c.state_info]


def cells_begin_state(cells, **kwargs):
    return [state for c in cells for state in c.begin_state(**kwargs)]


def cells_unpack_weights(cells, args):
    for cell in cells:
        args = cell.unpack_weights(args)
    return args


def cells_pack_weights(cells, args):
    for cell in cells:
        args = cell.pack_weights(args)
    return args


def normalize_sequence(length, inputs, layout, merge, in_layout=None):
    """Convert ``inputs`` between one Symbol along the time axis of ``layout`` and a list
    of per-step Symbols; ``merge`` True asks for one Symbol, False for a list, None keeps
    the given form. Returns (inputs, time axis)."""
    if inputs is None:
        raise ValueError("unroll(inputs=None) has been deprecated. Please create input "
                         "variables outside unroll.")
    axis = layout.find('T')
    in_axis = in_layout.find('T') if in_layout is not None else axis
    if isinstance(inputs, symbol.Symbol):
        if merge is False:
            if len(inputs.list_outputs()) != 1:
                raise ValueError("unroll doesn't allow grouped symbol as input. Please convert "
                                 "to list with list(inputs) first or let unroll handle "
                                 "splitting.")
            inputs = list(symbol.split(inputs, axis=in_axis, num_outputs=length,
                                       squeeze_axis=1))
    else:
        if length is not None and len(inputs) != length:
            raise ValueError(f"unroll: length={length} but {len(inputs)} inputs were given")
        if merge is True:
            inputs = [symbol.expand_dims(i, axis=axis) for i in inputs]
            inputs = symbol.Concat(*inputs, dim=axis)
            in_axis = axis
    if isinstance(inputs, symbol.Symbol) and axis != in_axis:
        inputs = symbol.swapaxes(inputs, dim1=axis, dim2=in_axis)
    return inputs, axis


class RNNParams:
    """Container for holding variables, used by RNN cells for parameter sharing.

    Parameters
    ----------
    prefix : str
        Names of all variables created by this container are prefixed with it.
    """

    def __init__(self, prefix=''):
        self._prefix = prefix
        self._params = {}

    def get(self, name, **kwargs):
        """The variable ``prefix + name``, created (with ``kwargs`` for
        ``symbol.Variable``) when missing."""
        name = self._prefix + name
        if name not in self._params:
            self._params[name] = symbol.Variable(name, **kwargs)
        return self._params[name]


class BaseRNNCell:
    """Abstract base class for RNN cells.

    Parameters
    ----------
    prefix : str, optional
        Prefix for names of layers (and of weights when ``params`` is None).
    params : RNNParams, default None
        Container for weight sharing between cells; created when None.
    """

    def __init__(self, prefix='', params=None):
        if params is None:
            params = RNNParams(prefix)
            self._own_params = True
        else:
            self._own_params = False
        self._prefix = prefix
        self._params = params
        self._modified = False
        self.reset()

    def reset(self):
        """Reset before re-using the cell for another graph."""
        self._init_counter = -1
        self._counter = -1
        for cell in getattr(self, '_cells', ()):
            cell.reset()

    def __call__(self, inputs, states):
        """Unroll the RNN for one time step: returns (output, new states)."""
        raise NotImplementedError()

    @property
    def params(self):
        """Parameters of this cell."""
        self._own_params = False
        return self._params

    @property
    def state_info(self):
        """Shape and layout information of states."""
        raise NotImplementedError()

    @property
    def state_shape(self):
        """Shape(s) of states."""
        return [ele['shape'] for ele in self.state_info]

    @property
    def _gate_names(self):
        return ()

    def _check_not_modified(self):
        if self._modified:
            raise RuntimeError("After applying modifier cells (e.g. DropoutCell) the base "
                               "cell cannot be called directly. Call the modifier cell "
                               "instead.")

    def begin_state(self, func=symbol.zeros, **kwargs):
        """Initial states for the first step, made by ``func`` (symbol.zeros,
        symbol.Variable, ...) with each state's info and ``kwargs``."""
        self._check_not_modified()
        states = []
        for info in self.state_info:
            self._init_counter += 1
            if info is not None:
                kwargs.update(info)
            states.append(func(name=f'{self._prefix}begin_state_{self._init_counter}',
                               **kwargs))
        return states

    def unpack_weights(self, args):
        """Split each fused i2h/h2h weight and bias in ``args`` (name -> NDArray) into one
        array per gate; returns a new dict. See ``pack_weights`` for the reverse."""
        args = args.copy()
        if not self._gate_names:
            return args
        h = self._num_hidden
        for group in ['i2h', 'h2h']:
            weight = args.pop(f'{self._prefix}{group}_weight')
            bias = args.pop(f'{self._prefix}{group}_bias')
            for j, gate in enumerate(self._gate_names):
                args[f'{self._prefix}{group}{gate}_weight'] = \
                    weight[j * h:(j + 1) * h].copy()
                args[f'{self._prefix}{group}{gate}_bias'] = bias[j * h:(j + 1) * h].copy()
        return args

    def pack_weights(self, args):
        """Concatenate per-gate weights and biases in ``args`` into fused ones."""
        args = args.copy()
        if not self._gate_names:
            return args
        for group in ['i2h', 'h2h']:
            weight, bias = [], []
            for gate in self._gate_names:
                weight.append(args.pop(f'{self._prefix}{group}{gate}_weight'))
                bias.append(args.pop(f'{self._prefix}{group}{gate}_bias'))
            args[f'{self._prefix}{group}_weight'] = ndarray.concatenate(weight)
            args[f'{self._prefix}{group}_bias'] = ndarray.concatenate(bias)
        return args

    def unroll(self, length, inputs, begin_state=None, layout='NTC', merge_outputs=None):
        """Unroll the cell over ``length`` steps.

        Parameters
        ----------
        length : int
            Number of steps.
        inputs : Symbol or list of Symbol
            One Symbol laid out as ``layout`` ((batch, length, ...) for 'NTC'), or a list
            of ``length`` Symbols of shape (batch, ...).
        begin_state : list of Symbol, optional
            Initial states; ``begin_state()`` when None.
        layout : str
            'NTC' or 'TNC'.
        merge_outputs : bool, optional
            True: one Symbol; False: a list of per-step Symbols; None: whichever is faster.

        Returns
        -------
        outputs, states
        """
        self.reset()
        inputs, _ = normalize_sequence(length, inputs, layout, False)
        if begin_state is None:
            begin_state = self.begin_state()
        states = begin_state
        outputs = []
        for i in range(length):
            output, states = self(inputs[i], states)
            outputs.append(output)
        outputs, _ = normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, inputs, activation, **kwargs):
        """Apply ``activation``: an Activation act_type name or a Symbol function."""
        if isinstance(activation, string_types):
            return symbol.Activation(inputs, act_type=activation, **kwargs)
        return activation(inputs, **kwargs)
