"""Tools for testing (``mx.test_utils``), with MXNet 1.9.1's names, signatures and defaults.

Layer 12 (top): may import anything in mixnet; nothing in mixnet imports it. The helpers
live in ``_test_utils_*`` modules by concept (comparison, random data, symbolic checks,
consistency, data sets) and are re-exported here. Like MXNet's module, this one also
exposes the modules it imports (``np``, ``mx``, ``os`` ...): MXNet's tests use
``from mxnet.test_utils import *`` and rely on them.
"""
# Module-level names MXNet's test_utils exposes; star-importing tests rely on them.
import time  # noqa: F401
import gzip  # noqa: F401
import struct  # noqa: F401
import traceback  # noqa: F401
import numbers  # noqa: F401
import sys
import os
import platform
import errno  # noqa: F401
import logging  # noqa: F401
import bz2  # noqa: F401
import zipfile  # noqa: F401
import json  # noqa: F401
from contextlib import contextmanager
from collections import OrderedDict  # noqa: F401

import numpy as np
import numpy.testing as npt  # noqa: F401
import numpy.random as rnd  # noqa: F401
try:
    import scipy.stats as ss
except ImportError:
    ss = None

import mixnet as mx  # noqa: F401  (exposed as test_utils.mx, as in MXNet)
from ..context import Context, current_context, num_gpus
from ..ndarray import array  # noqa: F401
from .. import ndarray as nd
from ..util import use_np, use_np_shape, getenv, setenv  # noqa: F401

from .compare import *  # noqa: F403
from .compare import (_find_max_violation, get_cuda_compute_capability,  # noqa: F401
                                  assert_almost_equal, same)
from .random import *  # noqa: F403
from .symbolic import *  # noqa: F403
from .symbolic import _parse_location, _parse_aux_states  # noqa: F401
from .consistency import check_consistency  # noqa: F401
from .data import *  # noqa: F403
from .stats import *  # noqa: F403
from .matrix import *  # noqa: F403
from .optimizer import compare_optimizer  # noqa: F401

try:
    from ..symbol import Symbol  # noqa: F401
except ImportError:  # mixnet.symbol not built yet; the Symbol checks raise on use
    Symbol = None
try:
    from ..symbol.numpy import _Symbol as np_symbol  # noqa: F401
except ImportError:
    np_symbol = None
try:
    from ..io import DataIter as _DataIter
except ImportError:  # mixnet.io not built yet: DummyIter is then a plain iterator
    _DataIter = object
try:
    from ..runtime import Features
except ImportError:  # mixnet.runtime not built yet: no optional feature is enabled
    Features = None


def default_context():
    """The context tests run on: the current (thread-local) default context."""
    return current_context()


def set_default_context(ctx):
    """Make ``ctx`` the default context of the calling thread."""
    Context.default_ctx = ctx


def _feature_enabled(name):
    """Whether runtime feature ``name`` (e.g. 'TVM_OP', 'MKLDNN') is compiled in."""
    if Features is None:
        return False
    return Features().is_enabled(name)


def is_mkldnn_enabled():
    """False: mixnet has no MKL-DNN (oneDNN) backend."""
    return _feature_enabled("MKLDNN")


def has_tvm_ops():
    """False: mixnet has no TVM-generated operators."""
    return _feature_enabled("TVM_OP")


def is_op_runnable():
    """True: without TVM operators every op runs on every context (MXNet's rule)."""
    if current_context().device_type == 'gpu' and _feature_enabled("TVM_OP"):
        try:
            return get_cuda_compute_capability(current_context()) >= 53
        except Exception:  # unknown compute capability: TVM ops cannot run
            return False
    return True


def is_cd_run():
    """Whether the tests run as part of a Continuous Delivery job (CD_JOB=1)."""
    return os.environ.get("CD_JOB", 0) == "1"


def is_aarch64_run():
    """Whether the tests run on an aarch64 machine."""
    return platform.machine() == "aarch64"


def list_gpus():
    """``range(n)`` for the ``n`` visible GPUs (empty without CuPy or a GPU)."""
    return range(num_gpus())


def np_reduce(dat, axis, keepdims, numpy_reduce_func):
    """Reduce ``dat`` over ``axis`` (None, int or list) one axis at a time with
    ``numpy_reduce_func`` (e.g. ``np.sum``), keeping reduced axes as 1 when ``keepdims``.

    Examples
    --------
    >>> np_reduce(np.ones((2, 3, 4)), (0, 2), True, np.sum).shape
    (1, 3, 1)
    """
    if isinstance(axis, int):
        axis = [axis]
    else:
        axis = list(axis) if axis is not None else range(len(dat.shape))
    ret = dat
    for i in reversed(sorted(axis)):
        ret = numpy_reduce_func(ret, axis=i)
    if keepdims:
        keepdims_shape = list(dat.shape)
        for i in axis:
            keepdims_shape[i] = 1
        ret = ret.reshape(tuple(keepdims_shape))
    return ret


def collapse_sum_like(a, shape):
    """Sum NumPy array ``a`` over the axes where ``shape`` (broadcastable to ``a``) is
    missing or 1, giving an array of ``shape``."""
    if len(a.shape) < len(shape):
        raise ValueError(f"collapse_sum_like: shape {shape} has more dims than {a.shape}")
    if np.prod(shape) == 0 or a.size == 0:
        return np.zeros(shape, dtype=a.dtype)
    ndim_diff = len(a.shape) - len(shape)
    axes = list(range(ndim_diff))
    for i, s in enumerate(shape):
        if s != a.shape[i + ndim_diff]:
            if s != 1:
                raise ValueError(f"collapse_sum_like: {shape} does not broadcast to {a.shape}")
            axes.append(i + ndim_diff)
    return np.sum(a, axis=tuple(axes)).reshape(shape)


def same_array(array1, array2):
    """Whether two NDArrays share memory (checked by writing through ``array1``)."""
    array1[:] += 1
    if not same(array1.asnumpy(), array2.asnumpy()):
        array1[:] -= 1
        return False
    array1[:] -= 1
    return same(array1.asnumpy(), array2.asnumpy())


def assert_exception(f, exception_type, *args, **kwargs):
    """Raise AssertionError unless ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise "
                         f"{getattr(exception_type, '__name__', exception_type)}")


def retry(n):
    """Decorator: rerun a stochastic test up to ``n`` times until it passes."""
    if n <= 0:
        raise ValueError(f"retry: n must be positive, got {n}")

    def decorate(f):
        def wrapper(*args, **kwargs):
            for i in range(n):
                try:
                    f(*args, **kwargs)
                    return
                except AssertionError:
                    if i == n - 1:
                        raise
                    nd.waitall()
        return wrapper
    return decorate


@contextmanager
def discard_stderr():
    """Silence the process's stderr (file descriptor 2) inside ``with discard_stderr():``."""
    with open(os.devnull, 'w') as bit_bucket:
        try:
            stderr_fileno = sys.stderr.fileno()
            old_stderr = os.dup(stderr_fileno)
        except (AttributeError, OSError, ValueError):
            # stderr is not a real file descriptor (e.g. captured): nothing to redirect
            yield
            return
        try:
            os.dup2(bit_bucket.fileno(), stderr_fileno)
            yield
        finally:
            os.dup2(old_stderr, stderr_fileno)
            os.close(old_stderr)


def _set_environ(env_vars):
    for name, value in env_vars.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@contextmanager
def environment(*args):
    """Set environment variables for the body of a ``with`` (or a decorated function) and
    restore them afterwards, even on error. Call as ``environment(name, value)`` or
    ``environment({name: value, ...})``; a value of None unsets the variable.

    Examples
    --------
    >>> with environment('MXNET_ENGINE_TYPE', 'NaiveEngine'):
    ...     os.environ['MXNET_ENGINE_TYPE']
    'NaiveEngine'
    """
    if len(args) == 1 and isinstance(args[0], dict):
        env_vars = args[0]
    elif len(args) == 2:
        env_vars = {args[0]: args[1]}
    else:
        raise AssertionError('Expecting one dict arg or two args: env var name and value')
    # mixnet reads settings from os.environ when asked (mixnet.config), so setting
    # os.environ is all MXNet's backend getenv/setenv round trip amounts to here
    snapshot = {name: os.environ.get(name) for name in env_vars}
    _set_environ(env_vars)
    try:
        yield
    finally:
        nd.waitall()   # pending engine work may still read the changed settings
        _set_environ(snapshot)


class DummyIter(_DataIter):
    """An iterator that always returns the first batch of ``real_iter`` (speed tests)."""

    def __init__(self, real_iter):
        super().__init__()
        self.real_iter = real_iter
        self.provide_data = real_iter.provide_data
        self.provide_label = real_iter.provide_label
        self.batch_size = real_iter.batch_size
        self.the_batch = next(real_iter)

    def __iter__(self):
        return self

    def __next__(self):
        return self.the_batch

    def next(self):
        """The first batch of the real iterator, every time; never StopIteration."""
        return self.the_batch
