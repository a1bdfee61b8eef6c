"""Data-set download helpers of ``mx.test_utils`` (MNIST, CIFAR-10, zip/bz2 archives).

Part of the test-helper layer (12). Downloads go through ``requests`` (optional), so a
test harness can serve local files by patching it, as MXNet's conformance shim does.
"""
import bz2
import errno
import gzip
import logging
import os
import struct
import zipfile

import numpy as np

__all__ = ["download", "download_model", "get_mnist", "get_mnist_pkl", "get_mnist_ubyte",
           "get_cifar10", "get_mnist_iterator", "get_zip_data", "get_bz2_data",
           "get_im2rec_path"]

_MODEL_URL = 'http://data.mxnet.io/models/'
_MODELS = {   # name -> (symbol path, params path) under _MODEL_URL
    'imagenet1k-inception-bn': ('imagenet/inception-bn/Inception-BN-symbol.json',
                                'imagenet/inception-bn/Inception-BN-0126.params'),
    **{f'imagenet1k-resnet-{n}': (f'imagenet/resnet/{n}-layers/resnet-{n}-symbol.json',
                                  f'imagenet/resnet/{n}-layers/resnet-{n}-0000.params')
       for n in (18, 34, 50, 101, 152)},
    **{f'imagenet1k-resnext-{n}': (f'imagenet/resnext/{n}-layers/resnext-{n}-symbol.json',
                                   f'imagenet/resnext/{n}-layers/resnext-{n}-0000.params')
       for n in (50, 101)},
    'imagenet1k-resnext-101-64x4d': ('imagenet/resnext/101-layers/resnext-101-64x4d-symbol.json',
                                     'imagenet/resnext/101-layers/resnext-101-64x4d-0000.params'),
    'imagenet11k-resnet-152': ('imagenet-11k/resnet-152/resnet-152-symbol.json',
                               'imagenet-11k/resnet-152/resnet-152-0000.params'),
    'imagenet11k-place365ch-resnet-152': ('imagenet-11k-place365-ch/resnet-152-symbol.json',
                                          'imagenet-11k-place365-ch/resnet-152-0000.params'),
    'imagenet11k-place365ch-resnet-50': ('imagenet-11k-place365-ch/resnet-50-symbol.json',
                                         'imagenet-11k-place365-ch/resnet-50-0000.params'),
}


def download(url, fname=None, dirname=None, overwrite=False, retries=5):
    """Download ``url`` to ``fname`` (default: the URL's last part) in ``dirname``;
    skip when the file exists unless ``overwrite``. Returns the file name."""
    if retries < 0:
        raise ValueError("Number of retries should be at least 0")
    import requests  # optional dependency, needed only to download
    fname = url.split('/')[-1] if fname is None else fname
    if dirname is None:
        dirname = os.path.dirname(fname)
    else:
        fname = os.path.join(dirname, fname)
    if dirname != "" and not os.path.exists(dirname):
        try:
            logging.info('create directory %s', dirname)
            os.makedirs(dirname)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise OSError('failed to create ' + dirname) from exc
    if not overwrite and os.path.exists(fname):
        logging.info("%s exists, skipping download", fname)
        return fname
    while retries + 1 > 0:
        try:
            r = requests.get(url, stream=True)
            if r.status_code != 200:
                raise OSError(f"failed to open {url} (HTTP {r.status_code})")
            with open(fname, 'wb') as f:
                for chunk in r.iter_content(chunk_size=1024):
                    if chunk:
                        f.write(chunk)
            break
        except Exception:  # network errors of any kind are retried, as in MXNet
            retries -= 1
            if retries <= 0:
                raise
            print("download failed, retrying, {} attempt{} left"
                  .format(retries, 's' if retries > 1 else ''))
    logging.info("downloaded %s into %s successfully", url, fname)
    return fname


def download_model(model_name, dst_dir='./', meta_info=None):
    """Download a model's symbol JSON and params; returns (path prefix, epoch 0),
    or (None, 0) for an unknown name. ``meta_info``: {name: {'symbol': url, 'params': url}}."""
    if meta_info is None:
        meta_info = {k: {'symbol': _MODEL_URL + s, 'params': _MODEL_URL + p}
                     for k, (s, p) in _MODELS.items()}
    if model_name not in meta_info:
        return (None, 0)
    if not os.path.isdir(dst_dir):
        os.mkdir(dst_dir)
    meta = dict(meta_info[model_name])
    if 'symbol' not in meta or 'params' not in meta:
        raise ValueError(f"meta_info[{model_name!r}] needs 'symbol' and 'params' urls")
    prefix = os.path.join(dst_dir, model_name)
    download(meta['symbol'], prefix + '-symbol.json')
    download(meta['params'], prefix + '-0000.params')
    return (prefix, 0)


def _read_mnist(label_url, image_url):
    with gzip.open(download(label_url)) as flbl:
        struct.unpack(">II", flbl.read(8))
        label = np.frombuffer(flbl.read(), dtype=np.int8)
    with gzip.open(download(image_url), 'rb') as fimg:
        _, _, rows, cols = struct.unpack(">IIII", fimg.read(16))
        image = np.frombuffer(fimg.read(), dtype=np.uint8).reshape(len(label), rows, cols)
        image = image.reshape(image.shape[0], 1, 28, 28).astype(np.float32) / 255
    return label, image


def get_mnist():
    """Download MNIST; returns {'train_data', 'train_label', 'test_data', 'test_label'}."""
    path = 'http://data.mxnet.io/data/mnist/'
    train_lbl, train_img = _read_mnist(path + 'train-labels-idx1-ubyte.gz',
                                       path + 'train-images-idx3-ubyte.gz')
    test_lbl, test_img = _read_mnist(path + 't10k-labels-idx1-ubyte.gz',
                                     path + 't10k-images-idx3-ubyte.gz')
    return {'train_data': train_img, 'train_label': train_lbl,
            'test_data': test_img, 'test_label': test_lbl}


def get_mnist_pkl():
    """Download data/mnist.pkl.gz (in the current directory)."""
    os.makedirs('data', exist_ok=True)
    if not os.path.exists('data/mnist.pkl.gz'):
        download('http://deeplearning.net/data/mnist/mnist.pkl.gz', dirname='data')


def _fetch_zip(url, wanted):
    os.makedirs('data', exist_ok=True)
    if not all(os.path.exists(os.path.join('data', f)) for f in wanted):
        with zipfile.ZipFile(download(url, dirname='data')) as zf:
            zf.extractall('data')


def get_mnist_ubyte():
    """Download and extract the ubyte MNIST files into ./data."""
    _fetch_zip('http://data.mxnet.io/mxnet/data/mnist.zip',
               ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
                't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])


def get_cifar10():
    """Download and extract CIFAR-10 record files into ./data/cifar."""
    _fetch_zip('http://data.mxnet.io/mxnet/data/cifar10.zip',
               ['cifar/train.rec', 'cifar/test.rec', 'cifar/train.lst', 'cifar/test.lst'])


def get_mnist_iterator(batch_size, input_shape, num_parts=1, part_index=0):
    """(train, val) ``mx.io.MNISTIter`` over ./data (downloaded if needed)."""
    from .. import io  # layer 10; imported on use since mixnet.io is still optional
    get_mnist_ubyte()
    flat = len(input_shape) != 3
    common = dict(input_shape=input_shape, batch_size=batch_size, flat=flat,
                  num_parts=num_parts, part_index=part_index)
    train = io.MNISTIter(image="data/train-images-idx3-ubyte",
                         label="data/train-labels-idx1-ubyte", shuffle=True, **common)
    val = io.MNISTIter(image="data/t10k-images-idx3-ubyte",
                       label="data/t10k-labels-idx1-ubyte", **common)
    return train, val


def get_zip_data(data_dir, url, data_origin_name):
    """Download ``url`` as ``data_dir/data_origin_name`` and extract it there."""
    data_origin_name = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(data_origin_name):
        download(url, dirname=data_dir, overwrite=False)
        with zipfile.ZipFile(data_origin_name) as zip_file:
            zip_file.extractall(path=data_dir)


def get_bz2_data(data_dir, data_name, url, data_origin_name):
    """Download the bz2 file ``url`` and decompress it to ``data_dir/data_name``."""
    data_name = os.path.join(data_dir, data_name)
    data_origin_name = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(data_name):
        download(url, fname=data_origin_name, dirname=data_dir, overwrite=False)
        with bz2.BZ2File(data_origin_name, 'rb') as bz_file, open(data_name, 'wb') as fout:
            for line in bz_file:
                fout.write(line)
        os.remove(data_origin_name)


def get_im2rec_path(home_env="MXNET_HOME"):
    """Path of tools/im2rec.py under $``home_env`` or next to the package."""
    root = os.environ.get(home_env) or os.path.dirname(os.path.abspath(__file__))
    for path in (os.path.join(root, 'tools', 'im2rec.py'),
                 os.path.join(root, '..', 'tools', 'im2rec.py'),
                 os.path.join(root, '..', '..', 'tools', 'im2rec.py')):
        if os.path.isfile(path):
            return path
    raise IOError('Could not find path to tools/im2rec.py')
