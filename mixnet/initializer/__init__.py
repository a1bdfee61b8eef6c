"""Weight initializers (``mx.init`` / ``mx.initializer``).

Layer 9: imports ndarray and below.
"""
from .base import InitDesc, Initializer, register, alias, create, Load, Mixed
from .basic import Zero, One, Constant, Uniform, Normal, Bilinear, LSTMBias
from .scaled import Orthogonal, Xavier, MSRAPrelu
from .rnn import FusedRNN

__all__ = ["InitDesc", "Initializer", "register", "alias", "create", "Load", "Mixed",
           "Zero", "One", "Constant", "Uniform", "Normal", "Bilinear", "LSTMBias",
           "Orthogonal", "Xavier", "MSRAPrelu", "FusedRNN"]
