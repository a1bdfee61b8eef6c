"""Name -> class registries with MXNet's ``register`` / ``alias`` / ``create`` helpers.

Generic (stdlib only) so that it can move to a shared ``mixnet/registry.py`` once other
families (optimizer, initializer) need the same factory; it mirrors ``mxnet.registry``.
"""
import json
import warnings

from ..base import MXNetTypeError, MXNetValueError

_REGISTRY = {}


def get_registry(base_class):
    """A copy of the name -> class table for ``base_class``."""
    return dict(_REGISTRY.setdefault(base_class, {}))


def get_register_func(base_class, nickname):
    """A decorator ``register(klass, name=None)`` that files ``klass`` under its lowercased name."""
    registry = _REGISTRY.setdefault(base_class, {})

    def register(klass, name=None):
        if not (isinstance(klass, type) and issubclass(klass, base_class)):
            raise MXNetTypeError(f"Can only register subclass of {base_class.__name__}, "
                                 f"got {klass!r}")
        name = (klass.__name__ if name is None else name).lower()
        old = registry.get(name)
        if old is not None and old is not klass:
            warnings.warn(f"New {nickname} {klass.__module__}.{klass.__name__} registered with "
                          f"name {name} is overriding existing {nickname} "
                          f"{old.__module__}.{old.__name__}", UserWarning, stacklevel=2)
        registry[name] = klass
        return klass

    register.__doc__ = f"Register {nickname} to the {nickname} factory"
    return register


def get_alias_func(base_class, nickname):
    """A decorator factory ``alias(*names)`` registering a class under extra names."""
    register = get_register_func(base_class, nickname)

    def alias(*aliases):
        def reg(klass):
            for name in aliases:
                register(klass, name)
            return klass
        return reg
    return alias


def get_create_func(base_class, nickname):
    """``create(name_or_instance_or_config, *args, **kwargs)`` for ``base_class``.

    Accepts an instance (returned as is), a registered name (case-insensitive), a dict
    config, or a JSON string: ``'{"<nickname>": name, ...}'`` or ``'[name, {kwargs}]'``.
    """
    registry = _REGISTRY.setdefault(base_class, {})

    def create(*args, **kwargs):
        if args:
            name, args = args[0], args[1:]
        elif nickname in kwargs:
            name = kwargs.pop(nickname)
        else:
            raise MXNetValueError(f"create: missing the {nickname} to create")
        if isinstance(name, base_class):
            if args or kwargs:
                raise MXNetValueError(f"{nickname} is already an instance. "
                                      "Additional arguments are invalid")
            return name
        if isinstance(name, dict):
            return create(**name)
        if not isinstance(name, str):
            raise MXNetTypeError(f"{nickname} must be of string type, got {type(name).__name__}")
        if name.startswith(("[", "{")):
            if args or kwargs:
                raise MXNetValueError(f"a JSON {nickname} config takes no extra arguments")
            config = json.loads(name)
            if isinstance(config, list):
                return create(config[0], **config[1])
            return create(**config)
        key = name.lower()
        if key not in registry:
            raise MXNetValueError(f"{key} is not registered. Please register with "
                                  f"{nickname}.register first (known: {sorted(registry)})")
        return registry[key](*args, **kwargs)

    create.__doc__ = (f"Create a {nickname} instance from a name, a config dict or JSON "
                      f"string, or return a {base_class.__name__} instance unchanged.")
    return create
