"""``mx.mod``: the Module API: a Symbol bound to executors over one or more contexts,
trained with ``fit`` (Module, BucketingModule, SequentialModule, PythonModule)."""
from .base_module import BaseModule
from .bucketing_module import BucketingModule
from .module import Module
from .python_module import PythonLossModule, PythonModule
from .sequential_module import SequentialModule

__all__ = ["BaseModule", "Module", "BucketingModule", "SequentialModule", "PythonModule",
           "PythonLossModule"]
