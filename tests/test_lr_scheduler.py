"""Learning-rate schedulers: values at given update counts, warmup, argument checks."""
import math

import pytest

from mixnet import lr_scheduler as lrs


def test_factor_scheduler_steps_and_floor():
    sched = lrs.FactorScheduler(step=10, factor=0.5, base_lr=1.0, stop_factor_lr=0.1)
    # the rate changes after `step` updates have been done (num_update > count + step)
    assert [sched(n) for n in (1, 10, 11, 20, 21, 31, 41, 100)] == \
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.125, 0.1, 0.1]


def test_factor_scheduler_jumps_several_steps():
    sched = lrs.FactorScheduler(step=2, factor=0.1, base_lr=1.0)
    assert math.isclose(sched(7), 1e-3)   # resumed training: three reductions at once


def test_factor_scheduler_warmup_linear_and_constant():
    lin = lrs.FactorScheduler(step=100, base_lr=1.0, warmup_steps=4, warmup_begin_lr=0.2)
    assert [lin(n) for n in range(4)] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    assert lin(4) == 1.0
    const = lrs.FactorScheduler(step=100, base_lr=1.0, warmup_steps=4, warmup_begin_lr=0.2,
                                warmup_mode='constant')
    assert [const(n) for n in range(5)] == [0.2, 0.2, 0.2, 0.2, 1.0]


def test_multifactor_scheduler():
    sched = lrs.MultiFactorScheduler(step=[5, 10], factor=0.1, base_lr=1.0)
    got = [sched(n) for n in (1, 5, 6, 10, 11, 50)]
    assert got == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01, 0.01])
    assert sched.cur_step_ind == 2 and sched.count == 10


def test_poly_scheduler_with_warmup():
    sched = lrs.PolyScheduler(max_update=12, base_lr=1.0, pwr=2, final_lr=0.1,
                              warmup_steps=2, warmup_begin_lr=0.5)
    assert sched(0) == 0.5 and sched(1) == pytest.approx(0.75)
    for n in (2, 7, 12):
        expect = 0.1 + 0.9 * (1 - (n - 2) / 10) ** 2
        assert sched(n) == pytest.approx(expect)
    assert sched(20) == pytest.approx(0.1)    # past max_update: stays at the final rate


def test_cosine_scheduler():
    sched = lrs.CosineScheduler(max_update=10, base_lr=2.0, final_lr=0.0)
    for n in (0, 3, 5, 10):
        assert sched(n) == pytest.approx(2.0 * (1 + math.cos(math.pi * n / 10)) / 2)
    assert sched(11) == pytest.approx(0.0)


@pytest.mark.parametrize("make, err", [
    (lambda: lrs.FactorScheduler(step=0), ValueError),
    (lambda: lrs.FactorScheduler(step=1, factor=1.5), ValueError),
    (lambda: lrs.MultiFactorScheduler(step=[3, 2]), ValueError),
    (lambda: lrs.MultiFactorScheduler(step=[0]), ValueError),
    (lambda: lrs.PolyScheduler(max_update=0), ValueError),
    (lambda: lrs.CosineScheduler(max_update=1.5), TypeError),
    (lambda: lrs.LRScheduler(base_lr=0.1, warmup_begin_lr=0.5), ValueError),
    (lambda: lrs.LRScheduler(warmup_steps=-1), ValueError),
    (lambda: lrs.LRScheduler(warmup_mode='cubic'), ValueError),
])
def test_bad_arguments(make, err):
    with pytest.raises(err):
        make()


def test_base_class_is_abstract():
    with pytest.raises(NotImplementedError):
        lrs.LRScheduler()(1)
