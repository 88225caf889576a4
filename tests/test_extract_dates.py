"""Dates, word limits and word counts as Chinese forms write them."""

from __future__ import annotations

import pytest

from pipelines.intake.dates import normalise_date, read_launch
from pipelines.intake.wordcount import count_words, word_limit


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024年5月", "2024-05"),
        ("2025.06", "2025-06"),
        ("2023-09-01", "2023-09-01"),
        ("2023/9/1", "2023-09-01"),
        ("2024年3月正式上线运营", "2024-03"),
        ("在建，预计2026年6月上线", "2026-06"),
        ("2025年", "2025"),
        ("2025", "2025"),
        ("二〇二四年五月", "2024-05"),
        ("二〇二四年十二月二十一日", "2024-12-21"),
        ("２０２４年５月", "2024-05"),
        ("20240501", "2024-05-01"),
        ("2023年9月至今", "2023-09"),
        ("2022年7月上线一期，2024年1月上线二期", "2022-07"),
        ("2024年13月", "2024"),
        ("2025年12月31日前", "2025-12-31"),
        ("2024年五月", "2024-05"),
        ("2024年十月十日", "2024-10-10"),
        ("二零二三年", "2023"),
        ("2023.3-2024.5", "2023-03"),
        ("2023年3月—2024年5月", "2023-03"),
        ("2022年", "2022"),
        ("近期上线", None),
        ("", None),
        # second pass: English months, mixed numerals, month ranges inside one year, quarters and seasons
        ("September 2024", "2024-09"),
        ("Sept. 2021", "2021-09"),
        ("7 July 2022", "2022-07-07"),
        ("July 7, 2022", "2022-07-07"),
        ("Decade 2020", "2020"),
        ("二〇二三年8月", "2023-08"),
        ("二〇二三年8月16日", "2023-08-16"),
        ("2021年3-4月", "2021-03"),
        ("2021年3月-4月", "2021-03"),
        ("2021-3-4", "2021-03-04"),
        ("2021年第三季度", "2021"),
        ("2021年下半年", "2021"),
        ("2021年度", "2021"),
        ("2021年3月起", "2021-03"),
    ],
)
def test_dates_are_normalised_without_inventing_precision(text, expected):
    assert normalise_date(text) == expected


@pytest.mark.parametrize(
    "text, status, date",
    [
        ("在建，预计2026年6月上线", "在建", "2026-06"),
        ("项目建设中", "在建", None),
        ("计划于2026年上线", "计划中", "2026"),
        ("项目筹备中，暂未上线", "计划中", None),
        ("暂未上线", "计划中", None),
        ("2024年3月正式上线运营", "已上线", "2024-03"),
        ("2024年5月", "已上线", "2024-05"),
        ("试运行", "试运行", None),
        ("2025年10月上线试运行", "试运行", "2025-10"),
        ("2023年3月试运行，2023年9月正式上线", "已上线", "2023-03"),
        ("2023年上线一期，二期在建", "已上线", "2023"),
        ("2024年5月正式上线，预计2026年推出二期", "已上线", "2024-05"),
        ("目前在建，计划二〇二六年八月上线", "在建", "2026-08"),
        ("近期上线", "", None),
        ("", "", None),
    ],
)
def test_launch_status_and_date(text, status, date):
    launch = read_launch(text)
    assert (launch.status, launch.date) == (status, date)


def test_launch_status_from_the_status_field_with_its_sentence_as_evidence():
    launch = read_launch("2026年8月", "目前处于内部测试阶段。预计2026年8月正式上线")
    assert launch.status == "计划中"
    assert launch.date == "2026-08"
    assert launch.evidence == "预计2026年8月正式上线"


@pytest.mark.parametrize(
    "label, expected",
    [
        ("案例简介（300字以内）", 300),
        ("主要做法(不超过1500字)", 1500),
        ("创新点 不超过800字", 800),
        ("取得成效（附数据，800字以内）", 800),
        ("推广价值（500-800字）", 800),
        ("案例简介（三百字以内）", 300),
        ("主要做法（一千五百字以内）", 1500),
        ("案例简介（限300字）", 300),
        ("取得成效（附数据）", None),
        ("案例简介", None),
    ],
)
def test_word_limits_stated_in_labels(label, expected):
    assert word_limit(label) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("人工智能", 4),
        ("AI赋能新闻", 5),  # AI is one word
        ("2024年用户增长3.5倍。", 9),  # 2024 and 3.5 are one word each; 。counts
        ("hello world", 2),
        ("“云小晴”上线", 7),  # full-width quotes count like Word does
        ("a, b. c", 3),  # half-width punctuation does not count
        ("  \n\t", 0),
    ],
)
def test_word_count_matches_word_statistics(text, expected):
    assert count_words(text) == expected
