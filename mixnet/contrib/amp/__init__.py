"""``mx.contrib.amp``: automatic mixed precision (``from mxnet.contrib.amp import amp``)."""
from . import amp
from .amp import *  # noqa: F401,F403
