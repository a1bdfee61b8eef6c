"""MXNet's legacy symbolic RNN API (``mx.rnn``): cells unrolled into Symbols, the fused
``RNN`` op's cell, bucketing sentence iterators and RNN checkpoints."""
from . import io, rnn, rnn_cell  # noqa: F401
from .io import *
from .rnn import *
from .rnn_cell import *
