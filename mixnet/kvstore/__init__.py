"""Key-value stores for data-parallel training: ``mx.kv.create('local' | 'device')``.

``KVStoreBase`` is the interface; stores register by class name
(``KVStoreBase.register``) or by a word in the type name (``register_family``: the
'dist' family plugs in there). Layer 10.
"""
from .base import KVStoreBase, create, register_family
from .compression import GradientCompression
from .local import KVStore
from .teststore import TestStore

__all__ = ["GradientCompression", "KVStore", "KVStoreBase", "TestStore", "create",
           "register_family"]
