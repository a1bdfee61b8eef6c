"""``check_consistency`` of ``mx.test_utils``: one symbol (or equivalent symbols) run on
several contexts/dtypes must agree, forward and backward, with the most precise run.

Part of the test-helper layer (12). Needs ``mixnet.symbol`` (optional until it lands).
"""
import traceback

import numpy as np

from .. import ndarray as nd
from .compare import assert_almost_equal, get_tols
from .symbolic import _require_symbol, _sorted_items

__all__ = ["check_consistency"]


def _smaller_dtype(dt1, dt2):
    """The less precise of two dtypes (``dt1`` when ``dt2`` is None)."""
    return dt1 if dt2 is None or np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2


def check_consistency(sym, ctx_list, scale=1.0, grad_req='write', arg_params=None,
                      aux_params=None, rtol=None, atol=None, raise_on_err=True,
                      ground_truth=None, equal_nan=False, use_uniform=False,
                      rand_type=np.float64):
    """Check that ``sym`` gives the same outputs and gradients on every entry of
    ``ctx_list`` (dicts of ``simple_bind`` keyword arguments: ctx, input shapes,
    type_dict). The run whose first output has the widest dtype is the ground truth
    unless ``ground_truth`` is given. Returns the ground-truth dict.

    Examples
    --------
    >>> sym = mx.sym.Convolution(num_filter=3, kernel=(3, 3), name='conv')
    >>> check_consistency(sym, [{'ctx': mx.cpu(0), 'conv_data': (2, 2, 10, 10),
    ...                          'type_dict': {'conv_data': np.float64}},
    ...                         {'ctx': mx.cpu(0), 'conv_data': (2, 2, 10, 10),
    ...                          'type_dict': {'conv_data': np.float32}}])
    """
    sym_mod = _require_symbol("check_consistency")
    if len(ctx_list) <= 1:
        raise ValueError("check_consistency needs at least two entries in ctx_list")
    syms = [sym] * len(ctx_list) if isinstance(sym, sym_mod.Symbol) else list(sym)
    if len(syms) != len(ctx_list):
        raise ValueError(f"{len(syms)} symbols for {len(ctx_list)} contexts")
    output_names, arg_names = syms[0].list_outputs(), syms[0].list_arguments()
    exe_list = []
    for s, ctx in zip(syms, ctx_list):
        if s.list_arguments() != arg_names or s.list_outputs() != output_names:
            raise ValueError("check_consistency: symbols differ in arguments or outputs")
        exe_list.append(s.simple_bind(grad_req=grad_req, **ctx))
    _fill_inputs(exe_list, arg_params, aux_params, grad_req, scale, use_uniform, rand_type)

    dtypes = [np.dtype(exe.outputs[0].dtype) for exe in exe_list]
    gt_idx = int(np.argmax(dtypes))
    gt = ground_truth
    if gt is None:
        gt = exe_list[gt_idx].output_dict.copy()
        if grad_req != 'null':
            gt.update(exe_list[gt_idx].grad_dict)

    for exe in exe_list:
        exe.forward(is_train=False)
    for i, exe in enumerate(exe_list):
        if i != gt_idx:
            for name, arr in zip(output_names, exe.outputs):
                _compare(arr, gt[name], rtol, atol, equal_nan, raise_on_err,
                         'Predict Err: ctx %d vs ctx %d at %s' % (i, gt_idx, name))
    if grad_req != 'null':
        _run_backward(exe_list)
        for i, exe in enumerate(exe_list):
            if i != gt_idx:
                _compare_train(exe, i, gt, gt_idx, dtypes, output_names + arg_names,
                               rtol, atol, equal_nan, raise_on_err)
    return gt


def _fill_inputs(exe_list, arg_params, aux_params, grad_req, scale, use_uniform, rand_type):
    """Same random (or given) inputs in every executor; zero grads for grad_req='add'."""
    arg_params = {} if arg_params is None else arg_params
    aux_params = {} if aux_params is None else aux_params
    # random inputs in sorted-name order, for reproducibility
    for n, arr in _sorted_items(exe_list[0].arg_dict):
        if n not in arg_params:
            if use_uniform:
                arg_params[n] = np.random.uniform(low=-0.92 * scale, high=0.92 * scale,
                                                  size=arr.shape).astype(rand_type)
            else:
                arg_params[n] = np.random.normal(size=arr.shape, scale=scale).astype(rand_type)
    for n in exe_list[0].aux_dict:
        aux_params.setdefault(n, 0)
    for exe in exe_list:
        for name, arr in exe.arg_dict.items():
            arr[:] = arg_params[name]
        for name, arr in exe.aux_dict.items():
            arr[:] = aux_params[name]
        if grad_req == "add":
            for arr in exe.grad_arrays:
                arr[:] = np.zeros(arr.shape, dtype=arr.dtype)


def _run_backward(exe_list):
    """Forward (train) then backward with the first executor's outputs as head grads,
    cast to the least precise output dtype so every run gets identical values."""
    for exe in exe_list:
        exe.forward(is_train=True)
    least = [out.dtype for out in exe_list[0].outputs]
    for exe in exe_list:
        least = [_smaller_dtype(out.dtype, dt) for out, dt in zip(exe.outputs, least)]
    golden = [out.astype(dt).asnumpy() for out, dt in zip(exe_list[0].outputs, least)]
    for exe in exe_list:
        out_grads = [nd.array(g, ctx=out.context, dtype=out.dtype).tostype(out.stype)
                     for g, out in zip(golden, exe.outputs)]
        exe.backward(out_grads)


def _compare_train(exe, i, gt, gt_idx, dtypes, names, rtol, atol, equal_nan, raise_on_err):
    for name, arr in zip(names, exe.outputs + exe.grad_arrays):
        gtarr = gt[name]
        if gtarr is None:
            if arr is not None:
                raise AssertionError(f"{name}: ground truth has no gradient, ctx {i} has one")
            continue
        rt, at = rtol, atol
        # a float32 gradient (e.g. BatchNorm gamma) of a float16 run gets float16 tolerances
        small_arr = _smaller_dtype(arr.dtype, dtypes[i])
        small_gt = _smaller_dtype(gtarr.dtype, dtypes[gt_idx])
        if small_arr != arr.dtype or small_gt != gtarr.dtype:
            rt, at = get_tols(arr.astype(small_arr), gtarr.astype(small_gt), rtol, atol)
        _compare(arr, gtarr, rt, at, equal_nan, raise_on_err,
                 'Train Err: {} {} ctx {} vs {} {} ctx {} at {}'.format(
                     np.dtype(arr.dtype).name, arr.context, i, np.dtype(gtarr.dtype).name,
                     gtarr.context, gt_idx, name))


def _compare(arr, gtarr, rtol, atol, equal_nan, raise_on_err, header):
    try:
        assert_almost_equal(arr, gtarr, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except AssertionError as err:
        print(header)
        traceback.print_exc()
        if raise_on_err:
            raise
        print(str(err))
