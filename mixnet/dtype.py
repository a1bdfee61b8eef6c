"""MXNet dtype names and codes <-> NumPy dtypes (float32 is MXNet's default)."""
import numpy as np

from .base import MXNetTypeError

__all__ = ["mx_real_t", "DTYPE_TO_CODE", "CODE_TO_DTYPE", "normalize", "code_of", "from_code",
           "name_of"]

mx_real_t = np.float32

# MXNet's mshadow type flags, as written in .params files and symbol JSON.
DTYPE_TO_CODE = {
    np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.float16): 2,
    np.dtype(np.uint8): 3, np.dtype(np.int32): 4, np.dtype(np.int8): 5,
    np.dtype(np.int64): 6, np.dtype(np.bool_): 7, np.dtype(np.int16): 8,
    np.dtype(np.uint16): 9, np.dtype(np.uint32): 10, np.dtype(np.uint64): 11,
}
CODE_TO_DTYPE = {v: k for k, v in DTYPE_TO_CODE.items()}

_NAMES = {"float32": np.float32, "float64": np.float64, "float16": np.float16,
          "uint8": np.uint8, "int8": np.int8, "int32": np.int32, "int64": np.int64,
          "bool": np.bool_, "int16": np.int16, "uint16": np.uint16, "uint32": np.uint32,
          "uint64": np.uint64, "float": np.float32, "double": np.float64, "half": np.float16}
_CACHE = {}


def normalize(dtype, default=np.float32):
    """Return the ``numpy.dtype`` for any MXNet dtype spelling (name, type, dtype, None)."""
    try:
        return _CACHE[dtype]
    except (KeyError, TypeError):
        pass
    if dtype is None:
        return np.dtype(default)
    try:
        if isinstance(dtype, str):
            result = np.dtype(_NAMES[dtype]) if dtype in _NAMES else np.dtype(dtype)
        else:
            result = np.dtype(dtype)
    except TypeError as err:
        raise MXNetTypeError(f"unknown dtype {dtype!r}") from err
    if result not in DTYPE_TO_CODE:
        raise MXNetTypeError(f"dtype {result} is not supported; expected one of "
                             f"{sorted(str(d) for d in DTYPE_TO_CODE)}")
    try:
        _CACHE[dtype] = result
    except TypeError:
        pass
    return result


def code_of(dtype):
    """MXNet's integer type flag of ``dtype``."""
    return DTYPE_TO_CODE[normalize(dtype)]


def from_code(code):
    """NumPy dtype for MXNet type flag ``code``."""
    try:
        return CODE_TO_DTYPE[int(code)]
    except KeyError as err:
        raise MXNetTypeError(f"unknown MXNet dtype code {code}") from err


def name_of(dtype):
    """MXNet's name of a dtype ('float32', 'bool', ...)."""
    return normalize(dtype).name
