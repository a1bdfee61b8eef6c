"""NDArray: an xp array on a context, with an engine variable ordering its reads/writes.

Arrays that share memory (basic slices, ``reshape`` views, ``detach``) share one
``Chunk`` (buffer + variable); a view derives its array from the chunk's buffer with a
``_view`` function, so writes through it land in the base buffer.
"""
import numpy as np

from .. import backend, engine
from ..base import MXNetError, numeric_types
from ..context import Context
from ..dtype import normalize
from ..graph import tape
from ..graph.node import Node, Entry
from ..ops import registry
from . import _format, dispatch, indexing

py_slice = slice   # MXNet code imports this name from mxnet.ndarray.ndarray

# Storage types (MXNet exposes these from mxnet.ndarray.ndarray); see ndarray/sparse.py.
_STORAGE_TYPE_UNDEFINED = -1
_STORAGE_TYPE_DEFAULT = 0
_STORAGE_TYPE_ROW_SPARSE = 1
_STORAGE_TYPE_CSR = 2
_STORAGE_TYPE_STR_TO_ID = {"undefined": _STORAGE_TYPE_UNDEFINED,
                           "default": _STORAGE_TYPE_DEFAULT,
                           "row_sparse": _STORAGE_TYPE_ROW_SPARSE,
                           "csr": _STORAGE_TYPE_CSR}
_STORAGE_TYPE_ID_TO_STR = {v: k for k, v in _STORAGE_TYPE_STR_TO_ID.items()}
_STORAGE_AUX_TYPES = {"row_sparse": [np.int64], "csr": [np.int64, np.int64]}

__all__ = ["NDArray", "Chunk", "waitall", "new_array", "from_xp", "mark_variables"]


class Chunk:
    """A buffer (None until first written) and the engine variable guarding it."""

    __slots__ = ("data", "var", "shape", "dtype", "ctx")

    def __init__(self, shape, dtype, ctx):
        self.data = None
        self.var = engine.Var()
        self.shape = shape
        self.dtype = dtype
        self.ctx = ctx

    def materialize(self):
        """A zero buffer for a chunk whose producing op failed (or never ran), so reads
        after the error was reported see defined memory, as MXNet's preallocated ones."""
        if self.data is None:
            self.data = dispatch.xp_of(self.ctx).zeros(self.shape, dtype=self.dtype)
        return self.data


def new_array(shape, dtype, ctx):
    """A fresh NDArray whose buffer an engine op will produce."""
    arr = NDArray.__new__(NDArray)
    shape = tuple(shape)
    arr._chunk = Chunk(shape, dtype, ctx)
    arr._view = None
    arr.shape = shape
    arr.dtype = dtype
    arr._ctx = ctx
    arr._entry = None
    return arr


def from_xp(data, ctx):
    """An NDArray owning the xp array ``data`` (no copy)."""
    arr = new_array(data.shape, data.dtype, ctx)
    arr._chunk.data = data
    return arr


def waitall():
    """Wait for all pushed work; rethrow the first error not yet seen (``mx.nd.waitall``)."""
    engine.waitall()


_OP_FNS = {}


def _op_fn(name):
    """A fast caller of op ``name`` for NDArray methods (cached per name)."""
    fn = _OP_FNS.get(name)
    if fn is None:
        fn = _OP_FNS[name] = _make_op_fn(name)
    return fn


def _make_op_fn(name):
    op = registry.get(name)
    default = op.default_params

    invoke = dispatch.invoke

    def call(*inputs, **kwargs):
        params = op.make_params(kwargs) if kwargs else default
        return invoke(op, inputs, params, None, None, new_array)
    return call


class NDArray:
    """An n-dimensional array on a device, computed asynchronously.

    Examples
    --------
    >>> x = mx.nd.array([[1, 2], [3, 4]])
    >>> (x * 2).asnumpy()
    array([[2., 4.],
           [6., 8.]], dtype=float32)
    """

    __slots__ = ("_chunk", "_view", "shape", "dtype", "_ctx", "_entry", "__weakref__")

    def __init__(self, handle=None, writable=True):
        # MXNet's constructor takes a C handle; mixnet has none. NDArray(None) makes an
        # empty placeholder (what unpickling MXNet-saved objects does), and an NDArray
        # ``handle`` makes an array sharing its memory.
        src = handle if isinstance(handle, NDArray) else \
            new_array((0,), np.dtype(np.float32), Context("cpu", 0))
        for k in NDArray.__slots__[:-1]:
            setattr(self, k, getattr(src, k))
        if src is handle:
            self._entry = None
    # NOTE: NumPy must defer to our reflected operators (np_array + nd_array).
    __array_priority__ = 1000.0
    _stype_id = _STORAGE_TYPE_DEFAULT   # sparse subclasses: dispatch routes them by this

    # --- storage ---------------------------------------------------------------
    def _data(self):
        """The xp array (call only when the engine says it is ready)."""
        d = self._chunk.data
        if d is None:
            d = self._chunk.materialize()
        v = self._view
        return d if v is None else v(d)

    def _store(self, value):
        chunk = self._chunk
        if self._view is None:
            if chunk.data is None:
                chunk.data = value
            else:
                chunk.data[...] = value
        else:
            self._view(chunk.data)[...] = value

    def _make_view(self, fn, shape):
        """A view sharing this array's chunk; ``fn`` maps the chunk buffer to the view."""
        arr = NDArray.__new__(NDArray)
        arr._chunk = self._chunk
        prev = self._view
        arr._view = fn if prev is None else (lambda d: fn(prev(d)))
        arr.shape = tuple(shape)
        arr.dtype = self.dtype
        arr._ctx = self._ctx
        arr._entry = None
        return arr

    # --- properties ---------------------------------------------------------------
    @property
    def context(self):
        """The device context of this array."""
        return self._ctx

    ctx = context

    @property
    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def stype(self):
        return "default"

    @property
    def T(self):
        if self.ndim > 2:
            raise MXNetError("Only 2D matrix is allowed to be transposed")
        return self.transpose()

    @property
    def handle(self):
        return self

    @property
    def writable(self):
        return True

    @property
    def grad(self):
        """The gradient buffer attached by ``attach_grad`` (or None)."""
        e = self._entry
        if e is None or not isinstance(e.node.info, tape.VariableInfo):
            return None
        return e.node.info.grad

    @property
    def _fresh_grad(self):
        e = self._entry
        return bool(e is not None and isinstance(e.node.info, tape.VariableInfo)
                    and e.node.info.fresh)

    @_fresh_grad.setter
    def _fresh_grad(self, value):
        e = self._entry
        if e is not None and isinstance(e.node.info, tape.VariableInfo):
            e.node.info.fresh = bool(value)

    # --- synchronisation -------------------------------------------------------
    def wait_to_read(self):
        """Block until every pending write to this array is done."""
        engine.wait_for_var(self._chunk.var)

    def wait_to_write(self):
        engine.wait_for_var(self._chunk.var, for_write=True)

    def asnumpy(self):
        """A NumPy copy of the contents (waits for pending writes)."""
        self.wait_to_read()
        return np.array(backend.to_numpy(self._data()), copy=True)

    def asscalar(self):
        """The value of a one-element array as a NumPy scalar."""
        if self.size != 1:
            raise ValueError("The current array is not a scalar")
        return self.asnumpy().reshape(()).item() if self.dtype == np.bool_ else \
            self.asnumpy().reshape(())[()]

    def item(self):
        return self.asscalar()

    def __array__(self, dtype=None, copy=None):
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype)

    # --- conversion ------------------------------------------------------------
    def astype(self, dtype, copy=True):
        """A copy cast to ``dtype`` (``self`` when ``copy=False`` and dtypes match)."""
        dtype = normalize(dtype)
        if not copy and dtype == self.dtype:
            return self
        return _op_fn("Cast")(self, dtype=dtype.name)

    def copy(self):
        """A deep copy on the same context."""
        return self.copyto(self._ctx)

    def copyto(self, other):
        """Copy into NDArray ``other``, or to a new array on Context ``other``."""
        if isinstance(other, NDArray):
            if other is self:
                return other
            if other.shape != self.shape:
                raise MXNetError(f"copyto: shape mismatch, source {self.shape} vs "
                                 f"target {other.shape}")
            _copy(self, other)
            return other
        if isinstance(other, Context):
            target = new_array(self.shape, self.dtype, other)
            _copy(self, target)
            return target
        raise TypeError(f"copyto does not support type {type(other)}")

    def as_in_context(self, context):
        """``self`` when already on ``context``, else a copy there."""
        return self if self._ctx == context else self.copyto(context)

    as_in_ctx = as_in_context

    def as_nd_ndarray(self):
        return self

    def tostype(self, stype):
        """A copy with storage type ``stype`` ('default', 'row_sparse' or 'csr')."""
        if stype == "csr" and len(self.shape) != 2:
            raise ValueError(f"To convert to a CSR, the NDArray should be 2 Dimensional. "
                             f"Current shape is {self.shape}")
        return _op_fn("cast_storage")(self, stype=stype)

    def detach(self):
        """A view of the same data outside the autograd graph."""
        arr = self._make_view(lambda d: d, self.shape) if self._view is not None else \
            _share(self)
        return arr

    # --- autograd ----------------------------------------------------------------
    def attach_grad(self, grad_req="write", stype=None):
        """Allocate a gradient buffer (of storage type ``stype``, by default this array's)
        and mark this array as an autograd variable."""
        if stype is None or stype == self.stype:
            grad = _op_fn("zeros_like")(self)
        else:
            from .creation import zeros
            grad = zeros(self.shape, self._ctx, self.dtype, stype=stype)
        mark_variables([self], [grad], grad_req)

    def backward(self, out_grad=None, retain_graph=False, train_mode=True):
        """Compute gradients of this array w.r.t. the marked variables."""
        AUTOGRAD_HOOKS["backward"]([self], None if out_grad is None else [out_grad],
                                   retain_graph=retain_graph, train_mode=train_mode)

    # --- python protocol ------------------------------------------------------------
    def __repr__(self):
        shape = "x".join(str(d) for d in self.shape)
        return f"\n{self.asnumpy()!s}\n<NDArray {shape} @{self._ctx}>"

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __bool__(self):
        if self.size == 0:
            return False
        if self.size == 1:
            return bool(self.asnumpy().reshape(-1)[0])
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    def __float__(self):
        return float(self.asscalar())

    def __int__(self):
        return int(self.asscalar())

    def __index__(self):
        if self.size != 1 or self.dtype.kind not in "iub":
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return int(self.asscalar())

    __hash__ = object.__hash__

    def __getstate__(self):
        # MXNet's pickle state: the raw bytes of one saved NDArray.
        return {"handle": bytearray(_format.dumps_one(self.asnumpy()))}

    def __setstate__(self, state):
        # Arrays pickled on a GPU load on the CPU (MXNet does the same without GPUs).
        data, _ctx = _format.loads_one(bytes(state["handle"]))
        src = _from_numpy(data, Context("cpu", 0))
        for k in NDArray.__slots__[:-1]:
            setattr(self, k, getattr(src, k))

    def __reduce__(self):
        return (_unpickle, (self.__getstate__(),))

    def __getitem__(self, key):
        return indexing.getitem(self, key)

    def __setitem__(self, key, value):
        indexing.setitem(self, key, value)

    # --- arithmetic ----------------------------------------------------------
    def _binary(self, other, array_op, scalar_op, reverse=False):
        if isinstance(other, NDArray):
            args = (other, self) if reverse else (self, other)
            return _op_fn(array_op)(*args)
        if isinstance(other, numeric_types) or (isinstance(other, np.generic)):
            return _op_fn(scalar_op)(self, scalar=float(other))
        if isinstance(other, np.ndarray):
            other = _from_numpy(other.astype(self.dtype, copy=False), self._ctx)
            return self._binary(other, array_op, scalar_op, reverse)
        return NotImplemented

    def _inplace(self, other, array_op, scalar_op):
        if isinstance(other, NDArray):
            op, inputs, kw = registry.get(array_op), [self, other], {}
        elif isinstance(other, numeric_types) or isinstance(other, np.generic):
            op, inputs, kw = registry.get(scalar_op), [self], {"scalar": float(other)}
        else:
            return NotImplemented
        return dispatch.invoke(op, inputs, op.make_params(kw), out=self, new_array=new_array)

    def __add__(self, o): return self._binary(o, "broadcast_add", "_plus_scalar")
    def __radd__(self, o): return self._binary(o, "broadcast_add", "_plus_scalar", True)
    def __sub__(self, o): return self._binary(o, "broadcast_sub", "_minus_scalar")
    def __rsub__(self, o): return self._binary(o, "broadcast_sub", "_rminus_scalar", True)
    def __mul__(self, o): return self._binary(o, "broadcast_mul", "_mul_scalar")
    def __rmul__(self, o): return self._binary(o, "broadcast_mul", "_mul_scalar", True)
    def __truediv__(self, o): return self._binary(o, "broadcast_div", "_div_scalar")
    def __rtruediv__(self, o): return self._binary(o, "broadcast_div", "_rdiv_scalar", True)
    __div__, __rdiv__ = __truediv__, __rtruediv__
    def __mod__(self, o): return self._binary(o, "broadcast_mod", "_mod_scalar")
    def __rmod__(self, o): return self._binary(o, "broadcast_mod", "_rmod_scalar", True)
    def __pow__(self, o): return self._binary(o, "broadcast_power", "_power_scalar")
    def __rpow__(self, o): return self._binary(o, "broadcast_power", "_rpower_scalar", True)
    def __eq__(self, o): return self._binary(o, "broadcast_equal", "_equal_scalar")
    def __ne__(self, o): return self._binary(o, "broadcast_not_equal", "_not_equal_scalar")
    def __gt__(self, o): return self._binary(o, "broadcast_greater", "_greater_scalar")
    def __ge__(self, o): return self._binary(o, "broadcast_greater_equal", "_greater_equal_scalar")
    def __lt__(self, o): return self._binary(o, "broadcast_lesser", "_lesser_scalar")
    def __le__(self, o): return self._binary(o, "broadcast_lesser_equal", "_lesser_equal_scalar")
    def __iadd__(self, o): return self._inplace(o, "broadcast_add", "_plus_scalar")
    def __isub__(self, o): return self._inplace(o, "broadcast_sub", "_minus_scalar")
    def __imul__(self, o): return self._inplace(o, "broadcast_mul", "_mul_scalar")
    def __itruediv__(self, o): return self._inplace(o, "broadcast_div", "_div_scalar")
    __idiv__ = __itruediv__
    def __imod__(self, o): return self._inplace(o, "broadcast_mod", "_mod_scalar")
    def __neg__(self): return _op_fn("negative")(self)
    def __pos__(self): return self
    def __abs__(self): return _op_fn("abs")(self)

    # --- shape helpers that return views ------------------------------------
    def reshape(self, *shape, **kwargs):
        """A view with a new shape (MXNet's special codes 0, -1, -2, -3, -4 allowed)."""
        return indexing.reshape_view(self, shape, kwargs)

    def reshape_like(self, *args, **kwargs):
        """Reshape like another array (a view when it is the plain form)."""
        if len(args) == 1 and not kwargs and isinstance(args[0], NDArray):
            return self.reshape(args[0].shape)
        if "rhs" in kwargs:
            args = (kwargs.pop("rhs"),) + args
        return _op_fn("reshape_like")(self, *args, **kwargs)

    def expand_dims(self, axis, inplace=False):
        """Insert an axis of size 1 (``inplace``: a view sharing memory)."""
        if not inplace:
            return _op_fn("expand_dims")(self, axis=axis)
        nd = len(self.shape) + 1
        if not -nd <= axis < nd:
            raise MXNetError(f"expand_dims: axis {axis} out of range for {self.ndim}-d array")
        axis %= nd
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def flatten(self, inplace=False):
        """Collapse all axes but the first (``inplace``: a view sharing memory)."""
        if not inplace:
            return _op_fn("Flatten")(self)
        rest = 1
        for d in self.shape[1:]:
            rest *= d
        return self.reshape((self.shape[0], rest) if self.shape else (1, 1))

    def squeeze(self, axis=None, inplace=False):
        """Remove axes of size 1 (``inplace``: a view sharing memory)."""
        if not inplace:
            return _op_fn("squeeze")(self) if axis is None else \
                _op_fn("squeeze")(self, axis=axis)
        out = _op_fn("squeeze")(self) if axis is None else _op_fn("squeeze")(self, axis=axis)
        return self.reshape(out.shape)

    def to_dlpack_for_read(self):
        """A DLPack capsule of this array for reading."""
        self.wait_to_read()
        return self._data().__dlpack__()

    def to_dlpack_for_write(self):
        """A DLPack capsule of this array for writing."""
        self.wait_to_write()
        return self._data().__dlpack__()


NDArray._new = staticmethod(new_array)

# autograd (a layer above) installs its backward here: NDArray.backward needs it but
# ndarray must not import upward.
AUTOGRAD_HOOKS = {}

_GRAD_REQS = ("write", "add", "null")


def mark_variables(variables, gradients, grad_reqs="write"):
    """Mark arrays as autograd variables with gradient buffers (``autograd.mark_variables``)."""
    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    if isinstance(grad_reqs, str):
        grad_reqs = [grad_reqs] * len(variables)
    if len(variables) != len(gradients) or len(variables) != len(grad_reqs):
        raise MXNetError(f"mark_variables: {len(variables)} variables, {len(gradients)} "
                         f"gradients and {len(grad_reqs)} grad_reqs must match")
    for var, grad, req in zip(variables, gradients, grad_reqs):
        if req not in _GRAD_REQS:
            raise MXNetError(f"mark_variables: grad_req must be one of {_GRAD_REQS}, got {req!r}")
        node = Node(None, "", info=tape.VariableInfo(var, grad, req))
        var._entry = Entry(node, 0)


def _copy(src, dst):
    op = registry.get("_copyto")
    if src._ctx == dst._ctx:
        dispatch.invoke(op, [src], None, out=dst, new_array=new_array)
        return
    # Cross-device copy: read on the source device, write on the target's.
    def run():
        data = backend.to_device(src._data(), dst._ctx)
        # NOTE: cpu(i) -> cpu(j) maps to the same array module: still a separate buffer.
        dst._store(data.copy() if data is src._data() or data.base is not None else data)
    engine.push(run, [src._chunk.var], [dst._chunk.var], dst._ctx, "_copyto", src.size)


def _share(arr):
    out = NDArray.__new__(NDArray)
    out._chunk, out._view, out.shape = arr._chunk, None, arr.shape
    out.dtype, out._ctx, out._entry = arr.dtype, arr._ctx, None
    return out


def _from_numpy(data, ctx):
    xp = dispatch.xp_of(ctx)
    if xp is np:
        buf = np.array(data, copy=True, order="C")
    else:
        buf = backend.to_device(np.ascontiguousarray(data), ctx)
    return from_xp(buf, ctx)


def _unpickle(state):
    arr = NDArray.__new__(NDArray)
    arr.__setstate__(state)
    return arr

