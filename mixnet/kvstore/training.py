"""How trainers use a kvstore: choose one, initialize the weights on it, and push gradients
/ pull weights each step. MXNet keeps these in ``mxnet.model`` (Module and gluon.Trainer
import them from there); ``mixnet.model`` re-exports them. Layer 10.
"""
import numpy as np

from .. import config
from .base import KVStoreBase, create
from .local import KVStore

__all__ = []   # private helpers, as in MXNet


def _update_on_kvstore_default():
    # NOTE: MXNET_UPDATE_ON_KVSTORE belongs in config.VARIABLES; until it is there, use
    # MXNet's default (1) rather than read the environment here.
    if "MXNET_UPDATE_ON_KVSTORE" in config.VARIABLES:
        return bool(config.get("MXNET_UPDATE_ON_KVSTORE"))
    return True


def _create_sparse_kvstore(kvstore):
    """``(kvstore, True)`` for row_sparse parameters, which are always updated on the store."""
    if isinstance(kvstore, KVStore):
        kv = kvstore
    elif isinstance(kvstore, str):
        kv = create(kvstore)
    else:
        raise TypeError(f"Cannot create '{kvstore}' KVStore with row_sparse parameters. "
                        f"The type must be KVStore or str.")
    if not kv.is_capable(KVStoreBase.OPTIMIZER):
        raise ValueError("KVStore with sparse weight requires optimizer support, which "
                         f"{type(kv).__name__} lacks. Use another kvstore (e.g. 'device').")
    return kv, True


def _create_kvstore(kvstore, num_device, arg_params):
    """``(kvstore or None, update_on_kvstore)`` for a kvstore object, a type name or None.

    One device in one process needs no kvstore. A 'local' store with an array larger than
    16M elements updates on the workers instead (as MXNet does, to spread the work).
    """
    update_on_kvstore = _update_on_kvstore_default()
    if kvstore is None:
        kv = None
    elif isinstance(kvstore, KVStoreBase):
        kv = kvstore
    elif isinstance(kvstore, str):
        kv = None
        if num_device > 1 or "dist" in kvstore:
            kv = create(kvstore)
            if kvstore == "local" and arg_params:
                biggest = max(np.prod(p.shape) for p in arg_params.values())
                if biggest > 1024 * 1024 * 16:
                    update_on_kvstore = False
    else:
        raise TypeError("kvstore must be KVStore, str or None")
    if kv is None:
        return None, False
    return kv, update_on_kvstore and kv.is_capable(KVStoreBase.OPTIMIZER)


def _initialize_kvstore(kvstore, param_arrays, arg_params, param_names, update_on_kvstore):
    """Put each parameter on the store; when updating there, also copy it to every device."""
    for name, arrays in zip(param_names, param_arrays):
        if not update_on_kvstore or arg_params[name].stype != "default":
            kvstore.init(name, arg_params[name])
        else:
            kvstore.broadcast(name, arg_params[name], out=arrays)


def _update_params_on_kvstore(param_arrays, grad_arrays, kvstore, param_names):
    """Push each parameter's gradients (one per device) and pull the updated weights."""
    for index, (args, grads) in enumerate(zip(param_arrays, grad_arrays)):
        if grads[0] is None:
            continue
        name = param_names[index]
        if grads[0].stype == "default" and args[0].stype == "default":
            kvstore.pushpull(name, grads, out=args, priority=-index)
        else:
            kvstore.push(name, grads, priority=-index)
            kvstore.pull(name, out=args, priority=-index)


def _update_params_on_kvstore_nccl(param_arrays, grad_arrays, kvstore, param_names):
    """``_update_params_on_kvstore`` in batches of keys (MXNet's NCCL path)."""
    valid = [i for i, grads in enumerate(grad_arrays) if grads[0] is not None]
    batch = 16   # MXNet's default MXNET_UPDATE_AGGREGATION_SIZE (not in config yet)
    for start in range(0, len(valid), batch):
        chunk = valid[start:start + batch]
        kvstore.pushpull([param_names[i] for i in chunk], [grad_arrays[i] for i in chunk],
                         out=[param_arrays[i] for i in chunk], priority=-start)


def _update_params(param_arrays, grad_arrays, updater, num_device, kvstore=None,
                   param_names=None):
    """Sum gradients through ``kvstore`` (if any), then update every device's copy with
    ``updater``; device ``k`` of parameter ``i`` uses index ``i * num_device + k`` so each
    copy has its own optimizer state."""
    updates = [[] for _ in range(num_device)]
    for index, (args, grads) in enumerate(zip(param_arrays, grad_arrays)):
        if grads[0] is None:
            continue
        if kvstore:
            name = param_names[index]
            if grads[0].stype == "default" and args[0].stype == "default":
                kvstore.pushpull(name, grads, priority=-index)
            else:
                kvstore.push(name, grads, priority=-index)
                kvstore.pull(name, out=grads, priority=-index)
        for k, (w, g) in enumerate(zip(args, grads)):
            updates[k].append((index * num_device + k, g, w))
    for dev_updates in updates:
        if dev_updates:
            indices, grads, weights = zip(*dev_updates)
            updater(indices, grads, weights)
