"""``mx.nd``: NDArray and the imperative op functions generated from the registry."""
from .. import ops as _ops  # registers every op
from .ndarray import NDArray, waitall
from .creation import array, empty, zeros, ones, full
from .op import namespace_functions as _namespace_functions

globals().update({k: v for k, v in _namespace_functions("").items()
                  if k not in globals()})

__all__ = ["NDArray", "waitall", "array", "empty", "zeros", "ones", "full"]
