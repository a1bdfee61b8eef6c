"""mixnet: MXNet 1.x's design and API on NumPy (CPU) and CuPy (GPU).

``import mixnet as mx`` is the native way; ``mixnet.install_as_mxnet()`` makes
unmodified ``import mxnet`` code use mixnet.
"""
__version__ = "0.1.0"

from . import base, config, context, dtype, util, engine, recordio, runtime, attribute, name
from .base import MXNetError
from .context import Context, cpu, gpu, cpu_pinned, current_context
from .attribute import AttrScope
from .util import np_shape, np_array, is_np_shape, is_np_array, use_np, set_np, reset_np
from . import ndarray
from . import ndarray as nd
from . import autograd
from . import random
from . import symbol
from . import symbol as sym
from . import executor
nd.CachedOp = executor.CachedOp   # MXNet exposes it as mx.nd.CachedOp
from . import initializer, optimizer, lr_scheduler, metric, callback, io
from . import initializer as init
from . import optimizer as opt
from . import kvstore
from . import kvstore as kv
from . import model
from . import visualization
from . import visualization as viz
from . import module
from . import gluon
from . import contrib
from . import rnn, monitor, operator
from . import monitor as mon
from . import module as mod
from .name import NameManager
from .compat import install_as_mxnet

__all__ = ["MXNetError", "Context", "cpu", "gpu", "cpu_pinned", "current_context", "nd",
           "ndarray", "autograd", "engine", "recordio", "install_as_mxnet"]
