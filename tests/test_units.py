from __future__ import annotations

import pytest

from pipelines.units import match_units, normalize_unit, unit_core


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("中国能源观察报社", "中国能源观察报社 ", "identical"),
        ("华夏交通传媒集团有限公司", "华夏交通传媒集团（有限公司）", "identical"),
        ("中国能源观察报社", "能源观察报", "same_core"),
        ("中国农垦传媒中心", "农垦传媒", "same_core"),
        ("浙江日报报业集团", "浙报集团", "abbreviation"),
        ("中国能源观察报社", "中国能源观察报社新媒体中心", "contains"),
    ],
)
def test_same_unit_written_differently(a, b, relation):
    match = match_units(a, b)
    assert match.same and match.relation == relation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("中国能源观察报社", "北京智媒云图科技有限公司"),
        ("中国铁道时讯报社", "中国民航新闻传媒中心"),
        ("中国水利水电报社", "中国电力新闻传媒有限公司"),
    ],
)
def test_different_units(a, b):
    assert not match_units(a, b).same


def test_normalisation():
    assert normalize_unit("（中国）建材 时报社") == "中国建材时报社"
    assert unit_core("中国建材时报社") == unit_core("建材时报") == "建材时"
    assert match_units("", "x").relation == "unknown"
