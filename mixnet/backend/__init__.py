"""Array modules per device: NumPy for cpu contexts, CuPy (imported lazily) for gpu.

Everything that differs between NumPy and CuPy is handled here, never in op files.
"""
import numpy as np

from ..base import MXNetError
from ..context import num_gpus
from . import random  # noqa: F401  (per-context generators)

__all__ = ["array_module", "to_device", "to_numpy", "is_gpu_array", "finalize"]

_cupy = None


def _get_cupy(ctx):
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError as err:
            raise MXNetError(f"{ctx} needs CuPy: pip install 'mixnet[gpu]'") from err
        _cupy = cupy
    if ctx.device_id >= num_gpus():
        raise MXNetError(f"{ctx} is not available: {num_gpus()} GPU(s) visible")
    return _cupy


def array_module(ctx):
    """``numpy`` for CPU contexts, ``cupy`` for GPU contexts."""
    if ctx.device_typeid != 2:
        return np
    return _get_cupy(ctx)


def is_gpu_array(a):
    return _cupy is not None and isinstance(a, _cupy.ndarray)


def to_numpy(a):
    """A NumPy array with the contents of ``a`` (copied off the GPU when needed)."""
    if is_gpu_array(a):
        return a.get()
    return np.asarray(a)


def to_device(a, ctx):
    """``a`` (NumPy or CuPy) as an array of ``ctx``'s module, copied only when needed."""
    if ctx.device_typeid != 2:
        return to_numpy(a)
    cp = _get_cupy(ctx)
    with cp.cuda.Device(ctx.device_id):
        return cp.asarray(a)


def finalize(result, dtype, shape, xp):
    """Make an op's raw result an owned, C-contiguous array of the inferred dtype.

    NumPy may return 0-d scalars, promote dtypes (int + float scalar), or views of the
    inputs; an NDArray needs its own contiguous buffer of exactly the inferred type.
    """
    if not isinstance(result, xp.ndarray):
        return xp.asarray(result, dtype=dtype).reshape(shape)
    if result.dtype != dtype:
        result = result.astype(dtype)
    elif result.base is not None or not result.flags.c_contiguous:
        result = xp.array(result, copy=True, order="C")
    if result.shape != shape:
        result = result.reshape(shape)
    return result
