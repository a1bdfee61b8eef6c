"""``mx.sym._internal``: the symbolic ops whose names start with an underscore."""
from .op import namespace_functions as _namespace_functions

globals().update({k: v for k, v in _namespace_functions("").items() if k.startswith("_")})
