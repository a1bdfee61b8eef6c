"""``mx.nd.contrib``: contributed ops (registered with ``namespace="contrib"``)."""
from .op import namespace_functions as _namespace_functions

globals().update(_namespace_functions("contrib"))
