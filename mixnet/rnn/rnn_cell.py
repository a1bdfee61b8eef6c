"""Every ``mx.rnn`` cell, importable from one module as in MXNet (``mx.rnn.rnn_cell``);
they live in base_cell, cells, stack_cells, fused_cell, modifier_cells and conv_cells.

Layer 11.
"""
from .base_cell import BaseRNNCell, RNNParams
from .cells import GRUCell, LSTMCell, RNNCell
from .conv_cells import BaseConvRNNCell, ConvGRUCell, ConvLSTMCell, ConvRNNCell
from .fused_cell import FusedRNNCell
from .modifier_cells import ModifierCell, ResidualCell, ZoneoutCell
from .stack_cells import BidirectionalCell, DropoutCell, SequentialRNNCell

__all__ = [
           "BaseConvRNNCell",
           "BaseRNNCell",
           "BidirectionalCell",
           "ConvGRUCell",
           "ConvLSTMCell",
           "ConvRNNCell",
           "DropoutCell",
           "FusedRNNCell",
           "GRUCell",
           "LSTMCell",
           "ModifierCell",
           "RNNCell",
           "RNNParams",
           "ResidualCell",
           "SequentialRNNCell",
           "ZoneoutCell",
]
