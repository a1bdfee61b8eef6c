"""Array comparison helpers of ``mx.test_utils``: per-dtype tolerances and the
``assert_almost_equal`` family with MXNet 1.9.1's defaults and error messages.

Part of the test-helper layer (12): may import any mixnet module.
"""
import numbers
import os

import numpy as np
import numpy.testing as npt

from ..context import num_gpus

__all__ = ["default_rtols", "default_atols", "default_numeric_eps", "effective_dtype",
           "get_tolerance", "get_tols", "get_atol", "get_rtol", "get_etol", "same",
           "checkShapes", "almost_equal", "almost_equal_ignore_nan", "locationError",
           "find_max_violation", "assert_almost_equal", "assert_allclose",
           "assert_almost_equal_with_err", "assert_almost_equal_ignore_nan",
           "compare_ndarray_tuple", "get_cuda_compute_capability"]

_EXACT = (np.bool_, np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64)


def default_rtols():
    """Default relative tolerance per dtype (MXNet's table)."""
    tols = {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5}
    tols.update({np.dtype(t): 0 for t in _EXACT})
    return tols


def default_atols():
    """Default absolute tolerance per dtype (MXNet's table)."""
    tols = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3,
            np.dtype(np.float64): 1e-20}
    tols.update({np.dtype(t): 0 for t in _EXACT})
    return tols


def default_numeric_eps():
    """Default finite-difference step per dtype; powers of two lose no input bits."""
    return {np.dtype(np.float16): 1.0 / 2**6, np.dtype(np.float32): 1.0 / 2**9,
            np.dtype(np.float64): 1.0 / 2**14}


def get_cuda_compute_capability(ctx):
    """CUDA compute capability of GPU context ``ctx`` as an int (e.g. 80), via CuPy."""
    if ctx.device_type != "gpu" or ctx.device_id >= num_gpus():
        raise ValueError(f"get_cuda_compute_capability: {ctx} is not an available GPU")
    import cupy  # optional dependency: only reached when a GPU exists
    return int(cupy.cuda.Device(ctx.device_id).compute_capability)


def _tf32_enabled(ctx):
    # NOTE: MXNet's cuBLAS/cuDNN use TF32 by default on arch >= 80, so float32 results are
    # only float16-accurate there. CuPy enables TF32 only when CUPY_TF32=1; we mirror
    # that switch (NVIDIA_TF32_OVERRIDE=0 disables it in both).
    if ctx is None or getattr(ctx, "device_type", None) != "gpu":
        return False
    if os.environ.get("CUPY_TF32") != "1" or os.environ.get("NVIDIA_TF32_OVERRIDE") == "0":
        return False
    try:
        return get_cuda_compute_capability(ctx) >= 80
    except Exception:  # no usable CUDA device: no TF32
        return False


def effective_dtype(dat):
    """The dtype whose tolerance applies to ``dat`` (float16 for TF32-computed float32)."""
    dtype = np.dtype(dat.dtype)
    if dtype == np.dtype(np.float32) and _tf32_enabled(getattr(dat, "ctx", None)):
        return np.dtype(np.float16)
    return dtype


def get_tolerance(dat, tol, default_tol):
    """``tol`` if it is a number, else ``tol[dtype]`` or ``default_tol[dtype]`` for ``dat``."""
    if isinstance(tol, numbers.Number):
        return tol
    dtype = effective_dtype(dat)
    tol = {} if tol is None else tol
    return tol.get(dtype, default_tol[dtype])


def get_tols(x, y, rtol, atol):
    """(rtol, atol) for comparing ``x`` and ``y``: the looser default of the two dtypes."""
    x = np.array(x) if isinstance(x, numbers.Number) else x
    y = np.array(y) if isinstance(y, numbers.Number) else y
    rtol = max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols()))
    atol = max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols()))
    return rtol, atol


def get_atol(atol=None, dtype=np.dtype(np.float64)):
    """``atol``, or the default absolute tolerance of ``dtype`` when None."""
    return default_atols()[np.dtype(dtype)] if atol is None else atol


def get_rtol(rtol=None, dtype=np.dtype(np.float64)):
    """``rtol``, or the default relative tolerance of ``dtype`` when None."""
    return default_rtols()[np.dtype(dtype)] if rtol is None else rtol


def get_etol(etol=None):
    """``etol`` (tolerated fraction of mismatching elements), 0 when None."""
    return 0 if etol is None else etol


def same(a, b):
    """True when two NumPy arrays have the same shape and elements."""
    return np.array_equal(a, b)


def checkShapes(a, b):
    """Raise AssertionError when ``a`` and ``b`` differ in shape."""
    if a.shape != b.shape:
        raise AssertionError(npt.build_err_msg(
            [a, b], err_msg=f"a.shape = {a.shape} and b.shape = {b.shape} are not equal"))


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False, use_broadcast=True):
    """``np.allclose`` with MXNet's float64 defaults (rtol=1e-5, atol=1e-20)."""
    if not use_broadcast:
        checkShapes(a, b)
    return np.allclose(a, b, rtol=get_rtol(rtol), atol=get_atol(atol), equal_nan=equal_nan)


def almost_equal_ignore_nan(a, b, rtol=None, atol=None):
    """``almost_equal`` after zeroing the positions where either array is NaN."""
    a, b = _zero_nans(a, b)
    return almost_equal(a, b, rtol, atol)


def _zero_nans(a, b):
    a, b = np.copy(_as_numpy(a)), np.copy(_as_numpy(b))
    nan_mask = np.logical_or(np.isnan(a), np.isnan(b))
    a[nan_mask] = 0
    b[nan_mask] = 0
    return a, b


def locationError(a, b, index, names, maxError=False):
    """'Location of [maximum ]error: (i, j), a=..., b=...' for element ``index``."""
    maximum = "maximum " if maxError else ""
    return "Location of %serror: %s, %s=%.8f, %s=%.8f" % (
        maximum, str(index), names[0], a[index], names[1], b[index])


def find_max_violation(a, b, rtol, atol):
    """(index, violation) of the element that most exceeds ``atol + rtol * |b|``."""
    # equal elements (infs included, as np.allclose) count as no violation
    absdiff = np.where(np.equal(a, b), 0, np.abs(a - b))
    violation = absdiff / (atol + rtol * np.abs(b) + 1e-20)
    idx = np.unravel_index(np.argmax(violation), violation.shape)
    # plain ints so the message reads "(1, 2)" under NumPy 2 as well
    return tuple(int(i) for i in idx), np.max(violation)


_find_max_violation = find_max_violation


def _as_numpy(x):
    if hasattr(x, "asnumpy"):
        return x.asnumpy()
    return x if isinstance(x, np.ndarray) else np.asarray(x)


def _mismatch_report(a, b, rtol, atol, names, equal_nan, mismatches):
    """Print the worst positions one by one; return the message naming the worst."""
    index, rel = find_max_violation(a, b, rtol, atol)
    if index == ():
        return "Error %f exceeds tolerance rtol=%e, atol=%e.\n" % (rel, rtol, atol)
    worst_index, worst = index, rel
    print(f"\n*** Maximum errors for vector of size {a.size}:  rtol={rtol}, atol={atol}\n")
    a_tmp, b_tmp = a.copy(), b.copy()
    i = 1
    while i <= a.size:
        if i <= mismatches[0]:
            print("%3d: Error %f  %s" % (i, rel, locationError(a, b, index, names)))
        a_tmp[index] = b_tmp[index] = 0
        if almost_equal(a_tmp, b_tmp, rtol, atol, equal_nan=equal_nan):
            break
        i += 1
        if not (i <= mismatches[1] or mismatches[1] <= 0):
            break
        index, rel = find_max_violation(a_tmp, b_tmp, rtol, atol)
    degree = "at least " if mismatches[1] > 0 and i > mismatches[1] else ""
    return "Error %f exceeds tolerance rtol=%e, atol=%e (mismatch %s%f%%).\n%s" % (
        worst, rtol, atol, degree, 100 * i / a.size,
        locationError(a, b, worst_index, names, maxError=True))


def _fail(a, b, err_msg):
    # NOTE: MXNet calls np.set_printoptions(threshold=4, suppress=True) globally here;
    # we scope it to the message so a failed check does not change later printing.
    with np.printoptions(threshold=4, suppress=True):
        msg = npt.build_err_msg([a, b], err_msg=err_msg)
    raise AssertionError(msg)


def assert_almost_equal(a, b, rtol=None, atol=None, names=('a', 'b'), equal_nan=False,
                        use_broadcast=True, mismatches=(10, 10)):
    """Raise AssertionError unless ``|a - b| <= atol + rtol * |b|`` elementwise.

    ``a``/``b`` are NumPy arrays, NDArrays or numbers. ``rtol``/``atol`` are numbers, dicts
    dtype -> tolerance, or None for MXNet's per-dtype defaults (the looser of the two
    dtypes: float16 1e-2/1e-1, float32 1e-4/1e-3, float64 1e-5/1e-20, integers exact).
    The message names the worst position; up to ``mismatches[0]`` positions are printed.

    Examples
    --------
    >>> assert_almost_equal(mx.nd.ones((2,)), np.ones(2) + 1e-5)
    """
    if not use_broadcast:
        checkShapes(a, b)
    if isinstance(a, (list, tuple)):
        a = np.asarray(a)
    if isinstance(b, (list, tuple)):
        b = np.asarray(b)
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = _as_numpy(a), _as_numpy(b)
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        np.testing.assert_equal(a, b)
        return
    if almost_equal(a, b, rtol, atol, equal_nan=equal_nan):
        return
    _fail(a, b, _mismatch_report(a, b, rtol, atol, names, equal_nan, mismatches))


def assert_allclose(a, b, rtol=1e-07, atol=0, equal_nan=True):
    """``assert_almost_equal`` with NumPy's ``assert_allclose`` defaults."""
    assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_almost_equal_with_err(a, b, rtol=None, atol=None, etol=None, names=('a', 'b'),
                                 equal_nan=False, mismatches=(10, 10)):
    """Like ``assert_almost_equal`` but tolerate a fraction ``etol`` of mismatching elements."""
    etol = get_etol(etol)
    if etol <= 0:
        assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
        return
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = _as_numpy(a), _as_numpy(b)
    equals = np.isclose(a, b, rtol=rtol, atol=atol)
    err = 1 - np.count_nonzero(equals) / equals.size
    if err > etol:
        _fail(a, b, _mismatch_report(a, b, rtol, atol, names, equal_nan, mismatches))


def assert_almost_equal_ignore_nan(a, b, rtol=None, atol=None, names=('a', 'b')):
    """``assert_almost_equal`` ignoring positions where either array is NaN."""
    a, b = _zero_nans(a, b)
    assert_almost_equal(a, b, rtol, atol, names)


def compare_ndarray_tuple(t1, t2, rtol=None, atol=None):
    """``assert_almost_equal`` over (nested) tuples of arrays; None matches anything."""
    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for s1, s2 in zip(t1, t2):
            compare_ndarray_tuple(s1, s2, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)
