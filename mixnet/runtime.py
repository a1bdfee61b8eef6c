"""Build features (``mx.runtime.Features``), as MXNet reports them, for mixnet's backends."""
import collections

from .context import num_gpus

__all__ = ["Feature", "Features", "feature_list"]

Feature = collections.namedtuple("Feature", ["name", "enabled"])


def _cupy_available():
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False
    return True


def feature_list():
    """The features of this installation, as a list of Feature."""
    gpu = _cupy_available() and num_gpus() > 0
    flags = {"CUDA": gpu, "CUDNN": False, "NCCL": gpu, "CUDA_RTC": gpu, "TENSORRT": False,
             "CPU_SSE": True, "CPU_AVX": True, "F16C": True, "BLAS_OPEN": True,
             "BLAS_MKL": False, "MKLDNN": False, "OPENCV": _has("cv2"), "DIST_KVSTORE": _has("ray"),
             "INT64_TENSOR_SIZE": True, "SIGNAL_HANDLER": False, "DEBUG": False, "TVM_OP": False,
             "OPENMP": False, "SSE": True, "LAPACK": True, "CAFFE": False}
    return [Feature(k, v) for k, v in flags.items()]


def _has(module):
    import importlib.util
    return importlib.util.find_spec(module) is not None


class Features(collections.OrderedDict):
    """Dictionary of feature name -> Feature; ``is_enabled(name)``."""

    instance = None

    def __new__(cls):
        if cls.instance is None:
            cls.instance = super().__new__(cls)
            super().__init__(cls.instance, [(f.name, f) for f in feature_list()])
        return cls.instance

    def __init__(self):
        pass

    def __repr__(self):
        return str(list(self.values()))

    def is_enabled(self, feature_name):
        feature_name = feature_name.upper()
        if feature_name not in self:
            raise RuntimeError(f"Feature '{feature_name}' is unknown, known features are: "
                               f"{list(self.keys())}")
        return self[feature_name].enabled
