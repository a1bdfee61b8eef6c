"""Operators: the registry and every op family (importing this registers them all).

Op code sees raw ``xp`` arrays (NumPy or CuPy) only; it never imports engine, ndarray
or symbol.
"""
from . import registry, param, infer
from . import elemwise_unary_math, elemwise_scalar
from . import reduce, sort, linalg_dot, nn
from . import random, optimizer_update, optimizer_update_adamw_lamb
from . import loss_output
from . import custom
from . import (elemwise_unary, elemwise_binary, broadcast, init, indexing_key, matrix, matrix_join,
               matrix_expand, slicing, indexing, indexing_nd, misc,
               python_callback, sparse_ops)

__all__ = ["registry", "param", "infer"]
