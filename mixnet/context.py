"""Devices: ``Context('cpu'|'gpu', id)``, ``cpu()``, ``gpu()`` and the thread-local default."""

from .base import MXNetError, thread_local_class_attr

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus", "gpu_memory_info"]


class Context(metaclass=thread_local_class_attr("default_ctx", lambda: Context("cpu", 0))):
    """A device on which arrays live and ops run.

    Parameters
    ----------
    device_type : {'cpu', 'gpu', 'cpu_pinned', 'cpu_shared'} or Context
    device_id : int, default 0

    Examples
    --------
    >>> with mx.Context('cpu', 1):
    ...     x = mx.nd.ones((2,))
    >>> x.context
    cpu(1)
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {"cpu": 1, "gpu": 2, "cpu_pinned": 3, "cpu_shared": 5}
    __slots__ = ("device_typeid", "device_id", "_old_ctx", "_key")

    def __init__(self, device_type, device_id=0):
        if isinstance(device_type, Context):
            self.device_typeid, self.device_id = device_type.device_typeid, device_type.device_id
        else:
            if device_type not in self.devstr2type:
                raise MXNetError(
                    f"Context: unknown device_type {device_type!r}; "
                    f"expected one of {sorted(self.devstr2type)}"
                )
            self.device_typeid = self.devstr2type[device_type]
            self.device_id = int(device_id)
        self._old_ctx = None
        self._key = (self.device_typeid, self.device_id)

    @property
    def device_type(self):
        return self.devtype2str[self.device_typeid]

    @property
    def xp_kind(self):
        """'gpu' for GPU contexts; pinned/shared CPU memory is plain CPU memory here."""
        return "gpu" if self.device_typeid == 2 else "cpu"

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, Context) and self._key == other._key

    def __ne__(self, other):
        return not self.__eq__(other)

    def __str__(self):
        return f"{self.device_type}({self.device_id})"

    __repr__ = __str__

    def __reduce__(self):
        return (Context, (self.device_type, self.device_id))

    def __enter__(self):
        self._old_ctx = Context.default_ctx
        Context.default_ctx = self
        return self

    def __exit__(self, *exc):
        Context.default_ctx = self._old_ctx

    def empty_cache(self):
        """Release cached device memory (GPU only; a no-op on CPU)."""
        cp = _cupy()
        if self.device_typeid == 2 and cp is not None:
            with cp.cuda.Device(self.device_id):
                cp.get_default_memory_pool().free_all_blocks()


def cpu(device_id=0):
    """Return a CPU context. ``cpu(i)`` for different ``i`` are distinct devices."""
    return Context("cpu", device_id)


def cpu_pinned(device_id=0):
    """Return a pinned-memory CPU context (plain CPU memory in mixnet)."""
    return Context("cpu_pinned", device_id)


def gpu(device_id=0):
    """Return a GPU context. Creating it never fails; using it needs CuPy and a GPU."""
    return Context("gpu", device_id)


def current_context():
    """Return the current default context (thread-local)."""
    return Context.default_ctx


def _cupy():
    """CuPy, imported on first use only (it is optional), or None."""
    try:
        import cupy
    except ImportError:
        return None
    return cupy


def num_gpus():
    """Number of visible GPUs (0 without CuPy or a CUDA device)."""
    cp = _cupy()
    if cp is None:
        return 0
    try:
        return cp.cuda.runtime.getDeviceCount()
    except cp.cuda.runtime.CUDARuntimeError:
        return 0


def gpu_memory_info(device_id=0):
    """(free, total) bytes of GPU ``device_id``."""
    if device_id >= num_gpus():
        raise MXNetError(f"gpu_memory_info: no GPU {device_id} (found {num_gpus()})")
    with _cupy().cuda.Device(device_id):
        return _cupy().cuda.runtime.memGetInfo()
