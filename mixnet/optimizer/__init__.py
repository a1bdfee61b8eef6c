"""Optimizers (``mx.optimizer`` / ``mx.opt``): the registry, the ``Updater`` and every
optimizer of MXNet 1.9.

Layer 9: imports ndarray and below.
"""
from .optimizer import Optimizer, Test, register, create
from .sgd import SGD, ccSGD, NAG, Signum, DCASGD, SGLD
from .large_batch import LARS, LBSGD
from .adaptive import Adam, Adamax, Nadam, AdaGrad, RMSProp, AdaDelta, Ftrl, FTML
from .lamb import LAMB
from .updater import Updater, get_updater
from . import contrib
from ..ndarray import abs as NDabs  # noqa: N812 (in MXNet's optimizer namespace)

__all__ = [
    'AdaDelta', 'AdaGrad', 'Adam', 'Adamax', 'DCASGD', 'FTML', 'Ftrl', 'LARS', 'LBSGD',
    'NAG', 'NDabs', 'Nadam', 'Optimizer', 'RMSProp', 'SGD', 'SGLD', 'Signum', 'LAMB',
    'Test', 'Updater', 'ccSGD', 'create', 'get_updater', 'register', 'contrib'
]

from . import optimizer  # noqa: E402  (the submodule, named explicitly)

# MXNet pickles an optimizer (Updater.get_states(dump_optimizer=True), Trainer/Module
# states) as mxnet.optimizer.optimizer.<Class>: every class is reachable there too, so
# such files load.
for _cls in (SGD, ccSGD, NAG, Signum, DCASGD, SGLD, LARS, LBSGD, Adam, Adamax, Nadam, AdaGrad,
             RMSProp, AdaDelta, Ftrl, FTML, LAMB, Updater):
    setattr(optimizer, _cls.__name__, _cls)
setattr(optimizer, "get_updater", get_updater)
del _cls
