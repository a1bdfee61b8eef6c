"""Cells built from other cells: ``SequentialRNNCell`` (a stack), ``BidirectionalCell``
(a left-to-right and a right-to-left cell, outputs concatenated) and ``DropoutCell``.

Layer 11: imports symbol.
"""
from .. import symbol
from ..base import numeric_types
from .base_cell import (
    BaseRNNCell,
    cells_begin_state,
    cells_pack_weights,
    cells_state_info,
    cells_unpack_weights,
    normalize_sequence,
)

__all__ = ["BidirectionalCell", "DropoutCell", "SequentialRNNCell"]


class _CompositeCell(BaseRNNCell):
    """A cell whose states and weights are the concatenation of its children's."""

    def _adopt_params(self, cells, params):
        if params is not None:
            if not all(c._own_params for c in cells):
                raise ValueError(f"Either specify params for {type(self).__name__} or child "
                                 f"cells, not both.")
            for c in cells:
                c.params._params.update(self.params._params)
        for c in cells:
            self.params._params.update(c.params._params)

    @property
    def state_info(self):
        return cells_state_info(self._cells)

    def begin_state(self, **kwargs):
        self._check_not_modified()
        return cells_begin_state(self._cells, **kwargs)

    def unpack_weights(self, args):
        return cells_unpack_weights(self._cells, args)

    def pack_weights(self, args):
        return cells_pack_weights(self._cells, args)


class SequentialRNNCell(_CompositeCell):
    """Sequentially stacking multiple RNN cells.

    Parameters
    ----------
    params : RNNParams, default None
        Container for weight sharing between cells. Created if None.
    """

    def __init__(self, params=None):
        super().__init__(prefix='', params=params)
        self._override_cell_params = params is not None
        self._cells = []

    def add(self, cell):
        """Append a cell; it takes the previous cell's output (or the inputs) as input."""
        self._cells.append(cell)
        self._adopt_params([cell], self._params if self._override_cell_params else None)

    def __call__(self, inputs, states):
        self._counter += 1
        next_states = []
        p = 0
        for cell in self._cells:
            if isinstance(cell, BidirectionalCell):
                raise NotImplementedError("Bidirectional cannot be stepped. Please use unroll")
            n = len(cell.state_info)
            inputs, state = cell(inputs, states[p:p + n])
            p += n
            next_states.append(state)
        return inputs, [s for state in next_states for s in state]

    def unroll(self, length, inputs, begin_state=None, layout='NTC', merge_outputs=None):
        self.reset()
        if begin_state is None:
            begin_state = self.begin_state()
        p = 0
        next_states = []
        last = len(self._cells) - 1
        for i, cell in enumerate(self._cells):
            n = len(cell.state_info)
            inputs, states = cell.unroll(length, inputs=inputs, begin_state=begin_state[p:p + n],
                                         layout=layout,
                                         merge_outputs=None if i < last else merge_outputs)
            p += n
            next_states.extend(states)
        return inputs, next_states


class BidirectionalCell(_CompositeCell):
    """Bidirectional RNN cell.

    Parameters
    ----------
    l_cell : BaseRNNCell
        Cell for forward unrolling.
    r_cell : BaseRNNCell
        Cell for backward unrolling.
    params : RNNParams, default None
        Container for weight sharing between cells. Created if None.
    output_prefix : str, default ``'bi_'``
        Prefix for name of output.
    """

    def __init__(self, l_cell, r_cell, params=None, output_prefix='bi_'):
        super().__init__('', params=params)
        self._output_prefix = output_prefix
        self._override_cell_params = params is not None
        self._adopt_params([l_cell, r_cell], params)
        self._cells = [l_cell, r_cell]

    def __call__(self, inputs, states):
        raise NotImplementedError("Bidirectional cannot be stepped. Please use unroll")

    def unroll(self, length, inputs, begin_state=None, layout='NTC', merge_outputs=None):
        self.reset()
        inputs, axis = normalize_sequence(length, inputs, layout, False)
        if begin_state is None:
            begin_state = self.begin_state()
        l_cell, r_cell = self._cells
        n_left = len(l_cell.state_info)
        l_outputs, l_states = l_cell.unroll(length, inputs=inputs,
                                            begin_state=begin_state[:n_left],
                                            layout=layout, merge_outputs=merge_outputs)
        r_outputs, r_states = r_cell.unroll(length, inputs=list(reversed(inputs)),
                                            begin_state=begin_state[n_left:],
                                            layout=layout, merge_outputs=merge_outputs)
        if merge_outputs is None:
            merge_outputs = (isinstance(l_outputs, symbol.Symbol)
                             and isinstance(r_outputs, symbol.Symbol))
            if not merge_outputs:
                l_outputs = _as_list(l_outputs, axis, length)
                r_outputs = _as_list(r_outputs, axis, length)
        if merge_outputs:
            outputs = symbol.Concat(l_outputs, symbol.reverse(r_outputs, axis=axis), dim=2,
                                    name=f'{self._output_prefix}out')
        else:
            outputs = [symbol.Concat(l_o, r_o, dim=1, name=f'{self._output_prefix}t{i}')
                       for i, (l_o, r_o) in enumerate(zip(l_outputs, reversed(r_outputs)))]
        return outputs, [l_states, r_states]


def _as_list(outputs, axis, length):
    if isinstance(outputs, symbol.Symbol):
        return list(symbol.SliceChannel(outputs, axis=axis, num_outputs=length, squeeze_axis=1))
    return outputs


class DropoutCell(BaseRNNCell):
    """Apply dropout on input.

    Parameters
    ----------
    dropout : float
        Percentage of elements to drop out, which is 1 - percentage to retain.
    prefix : str, default ``'dropout_'``
        Prefix for names of layers.
    params : RNNParams, default None
        Container for weight sharing between cells. Created if None.
    """

    def __init__(self, dropout, prefix='dropout_', params=None):
        super().__init__(prefix, params)
        if not isinstance(dropout, numeric_types):
            raise TypeError(f"dropout probability must be a number, got {dropout!r}")
        self.dropout = dropout

    @property
    def state_info(self):
        return []

    def __call__(self, inputs, states):
        if self.dropout > 0:
            inputs = symbol.Dropout(data=inputs, p=self.dropout)
        return inputs, states

    def unroll(self, length, inputs, begin_state=None, layout='NTC', merge_outputs=None):
        self.reset()
        inputs, _ = normalize_sequence(length, inputs, layout, merge_outputs)
        if isinstance(inputs, symbol.Symbol):
            return self(inputs, [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout,
                              merge_outputs=merge_outputs)
