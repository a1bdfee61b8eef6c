"""MXNet's legacy symbolic RNN API (``mx.rnn``): cells unrolled into Symbols, the fused
``RNN`` op's cell, bucketing sentence iterators and RNN checkpoints."""
from . import rnn_cell
from .rnn_cell import *  # noqa: F401,F403
from . import rnn
from .rnn import *  # noqa: F401,F403
from . import io
from .io import *  # noqa: F401,F403
