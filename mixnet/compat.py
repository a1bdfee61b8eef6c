"""``install_as_mxnet()``: make ``import mxnet`` (and every submodule) resolve to mixnet."""
import importlib
import importlib.abc
import importlib.util
import sys

__all__ = ["install_as_mxnet"]


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``mxnet.X`` as the module ``mixnet.X``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "mxnet" and not fullname.startswith("mxnet."):
            return None
        real = "mixnet" + fullname[len("mxnet"):]
        try:
            importlib.import_module(real)
        except ImportError:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return sys.modules["mixnet" + spec.name[len("mxnet"):]]

    def exec_module(self, module):
        pass


def install_as_mxnet():
    """Register mixnet as ``mxnet`` in ``sys.modules`` (like pymysql.install_as_MySQLdb).

    Examples
    --------
    >>> import mixnet; mixnet.install_as_mxnet()
    >>> import mxnet as mx
    >>> mx.nd.ones((2,)).asnumpy()
    array([1., 1.], dtype=float32)
    """
    for name, mod in list(sys.modules.items()):
        if mod is not None and (name == "mixnet" or name.startswith("mixnet.")):
            sys.modules.setdefault("mxnet" + name[len("mixnet"):], mod)
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
