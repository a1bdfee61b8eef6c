"""``mx.nd``: NDArray and the imperative op functions generated from the registry."""
from .. import ops as _ops  # registers every op
from .ndarray import NDArray, waitall
from .creation import array, empty, zeros, ones, full
from .creation_extra import arange, linspace, eye
from .serialization import save, load, load_frombuffer
from .dlpack import to_dlpack_for_read, to_dlpack_for_write, from_dlpack, from_numpy
from .functions import *  # noqa: F401,F403
from .functions import __all__ as _functions_all
from .op import namespace_functions as _namespace_functions
from . import fluent as _fluent
from . import _internal, contrib, linalg, op, random, sparse  # noqa: F401  (namespaces)

globals().update({k: v for k, v in _namespace_functions("").items() if k not in globals()})
_fluent.attach()

__all__ = ["NDArray", "waitall", "array", "empty", "zeros", "ones", "full", "save", "load",
           "load_frombuffer", "arange", "linspace", "eye", "to_dlpack_for_read", "to_dlpack_for_write", "from_dlpack",
           "from_numpy"] + list(_functions_all)
