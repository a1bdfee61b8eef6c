"""``mx.io``: data iterators (DataIter protocol, NDArrayIter, CSV/LibSVM/MNIST readers)."""
from . import io, utils  # noqa: F401  (submodules, as in MXNet)
from .io import DataDesc, DataBatch, DataIter, ResizeIter, PrefetchingIter
from .ndarray_iter import NDArrayIter
from .native import MXDataIter
from .text_iters import CSVIter, LibSVMIter
from .mnist import MNISTIter
from .utils import _init_data, _getdata_by_idx, _has_instance  # noqa: F401  (MXNet exports)

__all__ = ["DataDesc", "DataBatch", "DataIter", "ResizeIter", "PrefetchingIter", "NDArrayIter",
           "MXDataIter", "CSVIter", "LibSVMIter", "MNISTIter"]
