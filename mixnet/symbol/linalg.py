"""``mx.sym.linalg``: symbolic linalg ops (registered with ``namespace="linalg"``)."""
from .op import namespace_functions as _namespace_functions

globals().update(_namespace_functions("linalg"))
