"""``mx.sym``: Symbol and the symbolic op functions generated from the registry."""
from .. import ops as _ops  # registers every op
from .symbol import Symbol, Variable, var, Group, load, load_json
from .op import namespace_functions as _namespace_functions
from . import binding as _binding, arith as _arith  # noqa: F401  (attach methods)
from . import _internal, contrib, linalg, random  # noqa: F401  (namespaces)
from .functions import *  # noqa: F401,F403

from ..ndarray.ndarray import AUTOGRAD_HOOKS as _HOOKS
from .symbol import from_recorded as _from_recorded

_HOOKS["get_symbol"] = _from_recorded
globals().update({k: v for k, v in _namespace_functions("").items() if k not in globals()})

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json"]
