"""The province-structured ensemble: villages differ, and villages of a province differ together."""

import numpy as np
import pytest

from gl_env.scenarios import make_params
from gl_env.scenarios import provinces as pv

BASE = make_params("historical-1958", purge_rate=0.0)


@pytest.fixture(scope="module")
def ensemble():
    return pv.province_ensemble(BASE, 100)


def test_the_ensemble_is_the_same_in_every_run(ensemble):
    again = pv.province_ensemble(BASE, 100)
    assert again.params == ensemble.params and again.province == ensemble.province
    np.testing.assert_array_equal(again.report_zeal, ensemble.report_zeal)


def test_a_provinces_villages_share_its_weather_and_zeal_and_differ_in_land(ensemble):
    labels = np.asarray(ensemble.province)
    assert len(set(labels)) == pv.PROVINCES and all((labels == p).sum() == 4 for p in set(labels))
    weather = {}
    for params, label, zeal in zip(ensemble.params, labels, ensemble.report_zeal, strict=True):
        key = (params.weather_mean, params.procurement_rate, zeal)
        assert weather.setdefault(label, key) == key
    assert len(set(weather.values())) == pv.PROVINCES  # provinces differ from each other
    yields = np.array([p.base_yield_kg_per_ha for p in ensemble.params]) / BASE.base_yield_kg_per_ha
    assert len(set(yields)) == 100
    high = (1 + pv.LAND_QUALITY_PROVINCE_SD * 3**0.5) * (1 + pv.LAND_QUALITY_VILLAGE_SD * 3**0.5)
    low = (1 - pv.LAND_QUALITY_PROVINCE_SD * 3**0.5) * (1 - pv.LAND_QUALITY_VILLAGE_SD * 3**0.5)
    assert low <= yields.min() < 0.9 and 1.1 < yields.max() <= high
    # Everything else is the scenario's.
    assert all(p.replace(weather_mean=BASE.weather_mean, procurement_rate=BASE.procurement_rate,
                         base_yield_kg_per_ha=BASE.base_yield_kg_per_ha) == BASE for p in ensemble.params)  # fmt: skip


def test_zealous_provinces_procure_more_and_inflate_more(ensemble):
    rates = np.array([np.mean(p.procurement_rate) for p in ensemble.params]) / np.mean(BASE.procurement_rate)
    zeal = ensemble.report_zeal
    # One zeal per province drives both its procurement and its cadres' inflation.
    np.testing.assert_allclose(rates - 1.0, (zeal - 1.0) * pv.ZEAL_PROCUREMENT / pv.ZEAL_REPORT, atol=1e-12)
    reports = ensemble.zealous_report(np.full(100, 1.875))
    assert np.all((reports - 1.0) * (zeal > 1.0) >= 0.875 * (zeal > 1.0))
    np.testing.assert_array_equal(ensemble.zealous_report(np.ones(100)), np.ones(100))  # honest stays honest


def test_fewer_villages_than_provinces_and_bad_counts():
    assert len(set(pv.province_ensemble(BASE, 5).province)) == 5
    with pytest.raises(ValueError, match="villages=0"):
        pv.province_ensemble(BASE, 0)
    with pytest.raises(ValueError, match=r"provinces=9 is out of range; allowed 1 to villages \(4\)"):
        pv.province_ensemble(BASE, 4, provinces=9)
