"""Helpers for NDArrayIter: canonical (name, array) lists, shuffling, batch-axis slicing.

Sources are NDArrays, or left as they are when NDArray cannot hold them well:
``h5py.Dataset`` (read lazily) and ``scipy.sparse`` CSR matrices (densified per batch;
mixnet has no CSRNDArray yet).
"""
from collections import OrderedDict

import numpy as np

from ..base import MXNetError, MXNetTypeError, MXNetValueError
from ..ndarray import NDArray, array

__all__ = ["_init_data", "_has_instance", "_getdata_by_idx", "_slice_along_batch_axis",
           "is_h5py_dataset", "is_scipy_csr"]


def is_h5py_dataset(x):
    """True for an ``h5py.Dataset`` (checked by type name: h5py is optional)."""
    return type(x).__name__ == "Dataset" and type(x).__module__.startswith("h5py")


def is_scipy_csr(x):
    """True for a ``scipy.sparse`` CSR matrix/array (scipy is optional)."""
    return type(x).__module__.startswith("scipy.sparse") and getattr(x, "format", "") == "csr"


def _keep_as_is(x):
    return isinstance(x, NDArray) or is_h5py_dataset(x) or is_scipy_csr(x)


def _init_data(data, allow_empty, default_name):
    """Convert data into a sorted list of (name, array) pairs.

    A single array becomes ``[(default_name, arr)]``; a list of several becomes
    ``_0_<default_name>``, ``_1_<default_name>``, ...; a dict keeps its names.
    """
    if data is None:
        if not allow_empty:
            raise MXNetValueError("data must not be None")
        data = []
    if isinstance(data, np.ndarray) or _keep_as_is(data):
        data = [data]
    if isinstance(data, list):
        if not allow_empty and not data:
            raise MXNetValueError("data must not be empty")
        if len(data) == 1:
            data = OrderedDict([(default_name, data[0])])
        else:
            data = OrderedDict([(f"_{i}_{default_name}", d) for i, d in enumerate(data)])
    if not isinstance(data, dict):
        raise MXNetTypeError("Input must be NDArray, numpy.ndarray, h5py.Dataset "
                             "a list of them or dict with them as values")
    data = dict(data)   # never modify the caller's dict
    for k, v in data.items():
        if not _keep_as_is(v):
            try:
                data[k] = array(v)
            except (TypeError, ValueError, MXNetError):
                raise MXNetTypeError(f"Invalid type '{type(v)}' for {k}, should be NDArray, "
                                     "numpy.ndarray or h5py.Dataset") from None
    return sorted(data.items(), key=lambda kv: kv[0])


def _has_instance(data, check):
    """True when any array of a (name, array) list satisfies ``check`` (a type or predicate)."""
    if isinstance(check, type):
        return any(isinstance(arr, check) for _, arr in data)
    return any(check(arr) for _, arr in data)


def _getdata_by_idx(data, idx):
    """Reorder every source along axis 0 by ``idx`` (h5py datasets stay in file order)."""
    shuffled = []
    for k, v in data:
        if is_h5py_dataset(v):
            shuffled.append((k, v))
        elif is_scipy_csr(v):
            shuffled.append((k, v[idx]))
        else:
            shuffled.append((k, array(v.asnumpy()[idx], v.context, dtype=v.dtype)))
    return shuffled


def _slice_along_batch_axis(data, s, batch_axis):
    """``data[s]`` along ``batch_axis`` (an NDArray view-free slice)."""
    return data.slice_axis(axis=batch_axis, begin=s.start, end=s.stop)
