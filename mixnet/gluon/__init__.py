"""``mx.gluon``: the imperative neural-network API (Blocks, Parameters, layers)."""
from . import parameter, block, utils, nn
from . import loss, trainer
from .parameter import Parameter, Constant, ParameterDict, DeferredInitializationError
from .block import Block, HybridBlock, SymbolBlock
from .trainer import Trainer

__all__ = ["Parameter", "Constant", "ParameterDict", "DeferredInitializationError", "Block",
           "HybridBlock", "SymbolBlock", "nn", "utils", "loss", "Trainer"]
