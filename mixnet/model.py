"""Checkpoints in MXNet's format (``prefix-symbol.json`` + ``prefix-%04d.params`` with
``arg:``/``aux:`` keys) and ``BatchEndParam``. Re-exports the kvstore helpers that MXNet's
Module and gluon.Trainer import from here. Layer 11.
"""
import logging
from collections import namedtuple

from . import ndarray as nd
from . import symbol as sym
from .base import MXNetError
from .context import cpu
from .kvstore.training import (  # noqa: F401
    _create_kvstore,
    _create_sparse_kvstore,
    _initialize_kvstore,
    _update_params,
    _update_params_on_kvstore,
    _update_params_on_kvstore_nccl,
)

__all__ = ["BatchEndParam", "load_checkpoint", "load_params", "save_checkpoint"]

_LOG = logging.getLogger(__name__)

# what batch-end callbacks receive (MXNet's type name is 'BatchEndParams')
BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


def _params_file(prefix, epoch):
    return f"{prefix}-{epoch:04d}.params"


def save_checkpoint(prefix, epoch, symbol, arg_params, aux_params, remove_amp_cast=True):
    """Save ``symbol`` to ``prefix-symbol.json`` and the parameters to
    ``prefix-%04d.params`` (epoch), as MXNet does.

    Parameters
    ----------
    prefix : str
        Prefix of the file names.
    epoch : int
        Epoch number, part of the params file name.
    symbol : Symbol or None
        The network; not saved when None.
    arg_params, aux_params : dict of str to NDArray
        Weights and auxiliary states, saved under ``arg:<name>`` and ``aux:<name>``.
    remove_amp_cast : bool, optional
        Whether to remove amp_cast and amp_multicast operators before saving.

    Examples
    --------
    >>> net = mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=2, name='fc')
    >>> args = {'fc_weight': mx.nd.ones((2, 3)), 'fc_bias': mx.nd.zeros((2,))}
    >>> mx.model.save_checkpoint('/tmp/net', 1, net, args, {})
    >>> sym, args, aux = mx.model.load_checkpoint('/tmp/net', 1)
    >>> sorted(args)
    ['fc_bias', 'fc_weight']
    """
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
    save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in arg_params.items()}
    save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in aux_params.items()})
    param_name = _params_file(prefix, epoch)
    nd.save(param_name, save_dict)
    _LOG.info('Saved checkpoint to "%s"', param_name)


def load_params(prefix, epoch):
    """``(arg_params, aux_params)`` read from ``prefix-%04d.params``.

    Raises MXNetError naming the file when it is missing, truncated or corrupt, or is not
    a checkpoint (a dict with ``arg:``/``aux:`` keys); nothing partial is returned.
    """
    fname = _params_file(prefix, epoch)
    try:
        save_dict = nd.load(fname)
    except (MXNetError, OSError) as err:
        raise MXNetError(f"cannot load parameters from '{fname}': {err}") from err
    arg_params, aux_params = {}, {}
    if not save_dict:
        _LOG.warning("Params file '%s' is empty", fname)
        return arg_params, aux_params
    if not isinstance(save_dict, dict):
        raise MXNetError(f"'{fname}' holds a list of {len(save_dict)} arrays, not a checkpoint "
                         f"(a dict with 'arg:<name>' / 'aux:<name>' keys)")
    for key, value in save_dict.items():
        kind, sep, name = key.partition(":")
        if not sep:
            raise MXNetError(f"'{fname}': key {key!r} is not of the form 'arg:<name>' or "
                             f"'aux:<name>'; is it a checkpoint?")
        if kind == "arg":
            arg_params[name] = value
        elif kind == "aux":
            aux_params[name] = value
    return arg_params, aux_params


def load_checkpoint(prefix, epoch):
    """``(symbol, arg_params, aux_params)`` from ``prefix-symbol.json`` and
    ``prefix-%04d.params``, as written by ``save_checkpoint`` (or MXNet).

    Raises MXNetError naming the file when either is missing, truncated or corrupt.
    """
    fname = f"{prefix}-symbol.json"
    try:
        symbol = sym.load(fname)
    except (MXNetError, OSError, UnicodeDecodeError) as err:
        raise MXNetError(f"cannot load the symbol from '{fname}': {err}") from err
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params
