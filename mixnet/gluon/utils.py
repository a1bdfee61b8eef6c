"""Gluon helpers: data-parallel splitting, global-norm clipping, file download and
hashing, and ``HookHandle`` (forward-hook registration).

Layer 11: imports ndarray and below (``requests`` only inside ``download``).
"""
import hashlib
import os
import uuid
import warnings
import weakref
from collections import OrderedDict

import numpy as np

from .. import ndarray as nd
from ..util import is_np_shape

__all__ = ["split_data", "split_and_load", "clip_global_norm", "check_sha1", "download",
           "HookHandle", "shape_is_known", "replace_file"]


def split_data(data, num_slice, batch_axis=0, even_split=True):
    """Split ``data`` into ``num_slice`` slices along ``batch_axis`` (always a list).

    Examples
    --------
    >>> [s.shape for s in mx.gluon.utils.split_data(mx.nd.zeros((4, 3)), 2)]
    [(2, 3), (2, 3)]
    """
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise ValueError(
            f"data with shape {data.shape} cannot be evenly split into {num_slice} slices "
            f"along axis {batch_axis}. Use a batch size that's multiple of {num_slice} or set "
            "even_split=False to allow uneven partitioning of data.")
    each, extras = divmod(size, num_slice)
    sizes = [0] + extras * [each + 1] + (num_slice - extras) * [each]
    points = np.cumsum(sizes).tolist()
    if batch_axis == 0:
        return [data[points[i]:points[i + 1]] for i in range(num_slice)]
    return [nd.slice_axis(data, axis=batch_axis, begin=points[i], end=points[i + 1])
            for i in range(num_slice)]


def split_and_load(data, ctx_list, batch_axis=0, even_split=True):
    """Split ``data`` into ``len(ctx_list)`` slices and copy slice i to ``ctx_list[i]``."""
    if not isinstance(data, nd.NDArray):
        data = nd.array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(ctx) for s, ctx in zip(slices, ctx_list)]


def clip_global_norm(arrays, max_norm, check_isfinite=True):
    """Scale ``arrays`` in place so that their joint 2-norm is at most ``max_norm``.

    Returns the norm before clipping: a float, or a (1,) NDArray when
    ``check_isfinite`` is False (which avoids a blocking read).
    """
    if not arrays:
        raise ValueError("clip_global_norm: arrays must not be empty")
    ctx = arrays[0].context

    def sq_norm(arr):
        flat = arr.reshape((-1,))
        return nd.dot(flat, flat).as_in_context(ctx)
    total_norm = nd.sqrt(nd.add_n(*[sq_norm(a) for a in arrays]))
    if check_isfinite and not np.isfinite(total_norm.asscalar()):
        warnings.warn(UserWarning("nan or inf is detected. Clipping results will be "
                                  "undefined."), stacklevel=2)
    scale = max_norm / (total_norm + 1e-8)
    scale = nd.min(nd.concat(scale, nd.ones(1, ctx=ctx), dim=0))
    for arr in arrays:
        arr *= scale.as_in_context(arr.context)
    return total_norm.asscalar() if check_isfinite else total_norm


def _indent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


def check_sha1(filename, sha1_hash):
    """Whether the SHA-1 of the file's content is ``sha1_hash`` (hex digits)."""
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha1.update(chunk)
    return sha1.hexdigest() == sha1_hash


def replace_file(src, dst):
    """Atomically move ``src`` to ``dst`` (``src`` is removed on failure)."""
    try:
        os.replace(src, dst)
    except OSError as err:
        try:
            os.remove(src)
        except OSError:
            pass
        raise OSError(f"Moving downloaded temp file - {src}, to {dst} failed. Please retry "
                      "the download.") from err


def _target_path(url, path):
    if path is None:
        fname = url.split("/")[-1]
        if not fname:
            raise ValueError("Can't construct file-name from this URL. Please set the `path` "
                             "option manually.")
        return fname
    path = os.path.expanduser(path)
    return os.path.join(path, url.split("/")[-1]) if os.path.isdir(path) else path


def download(url, path=None, overwrite=False, sha1_hash=None, retries=5, verify_ssl=True):
    """Download ``url`` to ``path`` (a file or a folder; default: the URL's file name).

    An existing file is kept unless ``overwrite`` or its SHA-1 differs from
    ``sha1_hash``. Failed attempts are retried ``retries`` times. Returns the file path.
    """
    import requests  # optional dependency, needed only here

    fname = _target_path(url, path)
    if retries < 0:
        raise ValueError(f"Number of retries should be at least 0, currently it's {retries}")
    if not verify_ssl:
        warnings.warn("Unverified HTTPS request is being made (verify_ssl=False). Adding "
                      "certificate verification is strongly advised.")
    if not (overwrite or not os.path.exists(fname) or
            (sha1_hash and not check_sha1(fname, sha1_hash))):
        return fname
    dirname = os.path.dirname(os.path.abspath(fname))
    os.makedirs(dirname, exist_ok=True)
    while retries + 1 > 0:
        try:
            print(f"Downloading {fname} from {url}...")
            resp = requests.get(url, stream=True, verify=verify_ssl)
            if resp.status_code != 200:
                raise RuntimeError(f"Failed downloading url {url}")
            _save_response(resp, fname, sha1_hash)
            break
        except Exception as err:  # retried, then re-raised: any failure counts
            retries -= 1
            if retries <= 0:
                raise err
            print(f"download failed due to {err!r}, retrying, {retries} attempt"
                  f"{'s' if retries > 1 else ''} left")
    return fname


def _save_response(resp, fname, sha1_hash):
    # write to a unique temp name, then move: parallel downloads never see partial files
    tmp = f"{fname}.{uuid.uuid4()}"
    with open(tmp, "wb") as f:
        for chunk in resp.iter_content(chunk_size=1024):
            if chunk:
                f.write(chunk)
    if not os.path.exists(fname) or (sha1_hash and not check_sha1(fname, sha1_hash)):
        replace_file(tmp, fname)
    else:
        try:
            os.remove(tmp)
        except OSError:
            pass
        warnings.warn(f"File {fname} exists in file system so the downloaded file is deleted")
    if sha1_hash and not check_sha1(fname, sha1_hash):
        raise UserWarning(f"File {fname} is downloaded but the content hash does not match. "
                          "The repo may be outdated or download may be incomplete. If the "
                          '"repo_url" is overridden, consider switching to the default repo.')


def _get_repo_url():
    """Base URL of the Gluon dataset and model repository ($MXNET_GLUON_REPO)."""
    repo = os.environ.get("MXNET_GLUON_REPO",
                          "https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/")
    return repo if repo.endswith("/") else repo + "/"


def _get_repo_file_url(namespace, filename):
    return f"{_get_repo_url()}{namespace}/{filename}"


def _brief_print_list(names, limit=7):
    names = list(names)
    if len(names) > limit:
        return _brief_print_list(names[:limit // 2], limit) + ", ..., " + \
            _brief_print_list(names[-limit // 2:], limit)
    return ", ".join(f"'{n}'" for n in names)


class HookHandle:
    """Handle of a registered hook; ``detach()`` (or leaving a ``with``) removes it."""

    def __init__(self):
        self._hooks_dict_ref = None
        self._id = None

    def attach(self, hooks_dict, hook):
        if self._hooks_dict_ref is not None:
            raise AssertionError("The same handle cannot be attached twice.")
        self._id = id(hook)
        hooks_dict[self._id] = hook
        self._hooks_dict_ref = weakref.ref(hooks_dict)

    def detach(self):
        hooks_dict = self._hooks_dict_ref()
        if hooks_dict is not None and self._id in hooks_dict:
            del hooks_dict[self._id]

    def __getstate__(self):
        return (self._hooks_dict_ref(), self._id)

    def __setstate__(self, state):
        hooks = OrderedDict() if state[0] is None else state[0]
        self._hooks_storage = hooks  # NOTE: keeps a fresh dict alive for the weakref
        self._hooks_dict_ref = weakref.ref(hooks)
        self._id = state[1]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.detach()


def shape_is_known(shape):
    """Whether every dimension of ``shape`` is known (0, or -1 under np_shape, is unknown)."""
    if shape is None:
        return False
    unknown = -1 if is_np_shape() else 0
    if len(shape) == 0:
        return unknown == -1
    return all(d != unknown for d in shape)
