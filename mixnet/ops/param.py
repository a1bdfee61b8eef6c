"""Op parameters: frozen, typed dataclasses built from field specs, and MXNet's string forms.

An op declares its parameters once::

    class ClipParam(Param):
        a_min = Float(doc="Minimum value")
        a_max = Float(doc="Maximum value")

Values arrive as Python objects (``nd.clip(x, 0, 1)``) or as MXNet's strings (symbol
JSON: ``{"a_min": "0", "a_max": "1"}``); both are converted by the field's spec here,
the one place that knows MXNet's attribute syntax.
"""
import dataclasses

import numpy as np

from ..base import MXNetValueError

__all__ = ["Param", "Spec", "Int", "Float", "Bool", "Str", "Choice", "Shape", "Dtype",
           "Any", "REQUIRED", "format_value"]


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()


class Spec:
    """How one parameter is converted, validated and documented."""

    type_name = "any"

    def __init__(self, default=REQUIRED, doc="", optional=False):
        self.default = default
        self.doc = doc
        # ``optional``: None is a valid value (MXNet's dmlc::optional<T>).
        self.optional = optional or default is None

    def convert(self, value):
        if value is None or (isinstance(value, str) and value == "None"):
            if self.optional:
                return None
            raise ValueError("None is not allowed")
        if isinstance(value, str):
            return self.parse(value.strip())
        return self.coerce(value)

    def parse(self, text):
        return self.coerce(text)

    def coerce(self, value):
        return value

    def describe(self):
        kind = self.type_name + (" or None" if self.optional else "")
        if self.default is REQUIRED:
            return f"{kind}, required"
        return f"{kind}, optional, default={format_value(self.default)}"


class Any(Spec):
    type_name = "any"


class Int(Spec):
    type_name = "int"

    def coerce(self, value):
        if isinstance(value, (bool, np.bool_)):
            return int(value)
        if isinstance(value, (float, np.floating)) and not float(value).is_integer():
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)

    def parse(self, text):
        return self.coerce(float(text) if "." in text or "e" in text.lower() else int(text))


class Float(Spec):
    type_name = "float"

    def coerce(self, value):
        return float(value)


class Bool(Spec):
    type_name = "boolean"

    def parse(self, text):
        low = text.lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
        raise ValueError(f"expected True or False, got {text!r}")

    def coerce(self, value):
        return bool(value)


class Str(Spec):
    type_name = "string"

    def coerce(self, value):
        return str(value)


class Choice(Spec):
    """One of a fixed set of strings (MXNet's enum parameters)."""

    def __init__(self, choices, default=REQUIRED, doc="", optional=False):
        super().__init__(default, doc, optional)
        self.choices = tuple(choices)
        self.type_name = "{" + ", ".join(repr(c) for c in self.choices) + "}"

    def coerce(self, value):
        value = str(value)
        if value not in self.choices:
            raise ValueError(f"expected one of {list(self.choices)}, got {value!r}")
        return value


class Shape(Spec):
    """A tuple of ints (MXNet's TShape / Tuple<int>); a scalar means a 1-tuple.

    ``item``: the element type (int by default; float for Tuple<float>);
    ``allow_none_items``: elements may be None (slice begin/end).
    """

    type_name = "Shape(tuple)"

    def __init__(self, default=REQUIRED, doc="", optional=False, item=int,
                 allow_none_items=False):
        super().__init__(default, doc, optional)
        self.item = item
        self.allow_none_items = allow_none_items

    def parse(self, text):
        body = text.strip("()[] ")
        if not body:
            return ()
        parts = [p.strip() for p in body.split(",") if p.strip()]
        return self.coerce([None if p in ("None", "none") else self.item(float(p) if self.item is int and ("." in p or "e" in p) else p) for p in parts])

    def coerce(self, value):
        if isinstance(value, (list, tuple, np.ndarray)):
            items = list(value)
        else:
            items = [value]
        out = []
        for v in items:
            if v is None:
                if not self.allow_none_items:
                    raise ValueError("None is not allowed inside this tuple")
                out.append(None)
            else:
                out.append(self.item(v))
        return tuple(out)


class Dtype(Spec):
    """A dtype name ('float32', ...) or None; stored as MXNet's name."""

    type_name = "dtype"

    def __init__(self, default=REQUIRED, doc="", optional=False, choices=None):
        super().__init__(default, doc, optional)
        self.choices = choices

    def coerce(self, value):
        if isinstance(value, str) and value in ("float", "double", "half"):
            value = {"float": "float32", "double": "float64", "half": "float16"}[value]
        name = np.dtype(value).name if not isinstance(value, str) else value
        if name == "bool_":
            name = "bool"
        np.dtype("bool" if name == "bool" else name)  # validates
        if self.choices is not None and name not in self.choices:
            raise ValueError(f"expected one of {list(self.choices)}, got {name!r}")
        return name


def format_value(value):
    """MXNet's string form of a parameter value (what symbol JSON stores)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, tuple):
        return "(" + ", ".join("None" if v is None else format_value(v) for v in value) + \
            ("," if len(value) == 1 else "") + ")"
    if value is None:
        return "None"
    return str(value)


class Param:
    """Base class of op parameter records: subclasses become frozen dataclasses.

    Class attributes that are ``Spec`` instances become fields, in declaration order.
    """

    _specs = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        specs = dict(getattr(cls, "_specs", {}))
        specs.update({k: v for k, v in vars(cls).items() if isinstance(v, Spec)})
        cls._specs = specs
        cls.__annotations__ = {k: object for k in specs}
        for name, spec in specs.items():
            if spec.default is REQUIRED:
                if name in vars(cls):
                    delattr(cls, name)
                setattr(cls, name, dataclasses.field(metadata={"spec": spec}))
            else:
                setattr(cls, name, dataclasses.field(default=spec.default,
                                                     metadata={"spec": spec}))
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)

    def __post_init__(self):
        for name, spec in self._specs.items():
            value = getattr(self, name)
            if value is REQUIRED:
                continue
            try:
                object.__setattr__(self, name, spec.convert(value))
            except (ValueError, TypeError) as err:
                raise MXNetValueError(f"Invalid Parameter format for {name} expect "
                                      f"{spec.describe()} but value='{value}': {err}") from None

    @classmethod
    def create(cls, op_name, kwargs):
        """Build from user kwargs, with errors that name the op and the argument."""
        unknown = [k for k in kwargs if k not in cls._specs]
        if unknown:
            raise MXNetValueError(
                f"Operator {op_name}: unknown argument(s) {unknown}; it accepts "
                f"{list(cls._specs)}")
        missing = [k for k, s in cls._specs.items() if s.default is REQUIRED and k not in kwargs]
        if missing:
            raise MXNetValueError(f"Operator {op_name}: required parameter(s) {missing} "
                                  f"missing ({', '.join(cls._specs[k].describe() for k in missing)})")
        try:
            return cls(**kwargs)
        except MXNetValueError as err:
            raise MXNetValueError(f"Operator {op_name}: {err}") from None

    def to_attrs(self):
        """MXNet's string attributes for symbol JSON (every field, in declaration order)."""
        return {k: format_value(getattr(self, k)) for k in self._specs}

    def non_default_attrs(self):
        return {k: format_value(getattr(self, k)) for k, s in self._specs.items()
                if getattr(self, k) != s.default}
