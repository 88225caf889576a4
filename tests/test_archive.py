"""Uploaded zip archives: safety checks before reading, capped reads, GBK member names."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from pipelines.config import Settings
from pipelines.intake.archive import iter_archive, iter_sources
from pipelines.intake.extract import extract_bytes
from pipelines.schema import IntakeError
from tests.attachment_files import GbkZipInfo, make_zip
from tests.test_extract_build import build_docx, pair_rows, table

FORM = build_docx(table(pair_rows(("案例名称", "压缩包里的案例"), ("申报单位", "甲报社")), columns=2))


def patch_central_directory(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of the first central-directory entry (offsets per the zip specification)."""
    start = data.index(b"PK\x01\x02")
    field = start + offset
    return data[:field] + struct.pack(fmt, value) + data[field + struct.calcsize(fmt) :]


def members(data: bytes, settings: Settings | None = None) -> list[tuple[str, bytes]]:
    return [
        (source.name.removeprefix("上传.zip/"), source.data)
        for source in iter_archive(data, "上传.zip", settings or Settings())
    ]


def test_gbk_member_names_from_chinese_windows_are_decoded():
    data = make_zip({"申报材料/某报社申报表.docx": FORM}, gbk=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.infolist()[0].filename != "申报材料/某报社申报表.docx"  # what zipfile alone would show
    ((name, content),) = members(data)
    assert name == "申报材料/某报社申报表.docx"
    assert extract_bytes(content, name, Settings()).title == "压缩包里的案例"


def test_utf8_names_and_skipped_members():
    data = make_zip(
        {
            "表一.docx": FORM,
            "目录/": b"",
            "__MACOSX/._表一.docx": b"\x00\x05",
            "目录/~$表一.docx": b"owner",
            "目录/.hidden.docx": FORM,
            "目录/说明.pdf": b"%PDF",
            "目录/旧表.doc": b"\xd0\xcf\x11\xe0",
            "目录/Thumbs.db": b"litter",
        }
    )
    assert [name for name, _ in members(data)] == [
        "表一.docx",
        "目录/~$表一.docx",
        "目录/说明.pdf",
        "目录/旧表.doc",
    ]


@pytest.mark.parametrize(
    "name", ["../逃逸.docx", "/etc/申报表.docx", "C:\\Windows\\表.docx", "a/../../表.docx"]
)
def test_path_traversal_rejects_the_whole_archive(name):
    data = make_zip({"正常.docx": FORM, name: FORM})
    with pytest.raises(IntakeError) as caught:
        members(data)
    assert caught.value.code == "unsafe_archive"
    assert "「上传.zip」" in caught.value.message
    assert "不安全的路径" in caught.value.message


def test_huge_declared_size_is_rejected_before_reading():
    data = patch_central_directory(make_zip({"炸弹.docx": FORM}), 24, "<I", 0xFFFFFFF0)
    with pytest.raises(IntakeError) as caught:
        members(data)
    assert caught.value.code == "archive_bomb"
    assert "上传.zip" in caught.value.message


def test_high_compression_ratio_member_is_a_bomb():
    data = make_zip({"零.docx": b"\x00" * (4 * 1024 * 1024)})
    with pytest.raises(IntakeError) as caught:
        members(data)
    assert caught.value.code == "archive_bomb"
    assert "压缩比" in caught.value.message


def test_total_size_over_the_limit_is_a_bomb():
    data = make_zip({f"表{i}.docx": FORM for i in range(5)})
    with pytest.raises(IntakeError) as caught:
        members(data, Settings(max_archive_mb=len(FORM) * 3 / 2**20))
    assert caught.value.code == "archive_bomb"
    assert "上限" in caught.value.message


def test_size_understated_in_the_header_is_caught_on_read():
    data = patch_central_directory(make_zip({"表.docx": FORM}), 24, "<I", 100)
    with pytest.raises(IntakeError) as caught:
        members(data)
    assert caught.value.code == "corrupt_archive"


def test_oversized_member_is_read_only_up_to_the_file_limit():
    settings = Settings(max_file_mb=1000 / 2**20)
    ((name, content),) = members(make_zip({"大表.docx": FORM}), settings)
    assert len(content) == 1001
    with pytest.raises(IntakeError) as caught:
        extract_bytes(content, name, settings)
    assert caught.value.code == "too_large"


@pytest.mark.parametrize("data", [b"", b"not a zip at all", make_zip({"表.docx": FORM})[:200]])
def test_corrupt_archives(data):
    with pytest.raises(IntakeError) as caught:
        members(data)
    assert caught.value.code == "corrupt_archive"
    assert "「上传.zip」" in caught.value.message


def test_password_protected_member():
    data = patch_central_directory(make_zip({"表.docx": FORM}), 8, "<H", 0x1)
    with pytest.raises(IntakeError) as caught:
        members(data)
    assert caught.value.code == "corrupt_archive"
    assert "密码" in caught.value.message


def test_sources_from_folders_files_and_archives(tmp_path):
    (tmp_path / "a.docx").write_bytes(FORM)
    (tmp_path / "b.zip").write_bytes(make_zip({"内.docx": FORM}))
    (tmp_path / "c.zip").write_bytes(b"broken")
    (tmp_path / "d.txt").write_text("忽略")
    sources = list(iter_sources([tmp_path], Settings()))
    assert [Path(s.name).name for s in sources] == ["a.docx", "内.docx", "c.zip", "d.txt"]
    assert sources[1].name.endswith("b.zip/内.docx") and sources[1].label == "b.zip/内.docx"
    assert sources[2].error is not None and sources[2].error.code == "corrupt_archive"
    assert sources[0].data == b"" and sources[0].read() == FORM  # read from disk only when needed
    settings = Settings(max_file_mb=0.0001)
    (big,) = iter_sources([tmp_path / "a.docx"], settings)
    assert len(big.read()) == int(0.0001 * 2**20) + 1 and big.size == len(FORM)  # never more than cap + 1
    with pytest.raises(IntakeError) as caught:
        extract_bytes(big.read(), big.name, settings)
    assert caught.value.code == "too_large"


def test_gbk_names_that_are_also_valid_utf8_are_not_garbled():
    # 片头 in GBK is C6 AC CD B7, which UTF-8 reads as "Ƭͷ": the archive's names decide the encoding together.
    data = make_zip({"宣传片/片头.mov": b"x", "宣传片/申报表.docx": FORM}, gbk=True)
    assert [name for name, _ in members(data)] == ["宣传片/片头.mov", "宣传片/申报表.docx"]
    alone = make_zip({"片头.mov": b"x"}, gbk=True)
    assert [name for name, _ in members(alone)] == ["片头.mov"]
    utf8 = make_zip({"Ƭͷ.mov": b"x"})  # a real UTF-8 name with the flag stays as written
    assert [name for name, _ in members(utf8)] == ["Ƭͷ.mov"]


def test_unicode_path_extra_field_wins_over_the_raw_bytes():
    import zlib

    raw = "证书.pdf".encode("gbk")
    unicode_name = "证书（原件）.pdf".encode()
    extra = (
        struct.pack("<HHB", 0x7075, 5 + len(unicode_name), 1)
        + struct.pack("<I", zlib.crc32(raw))
        + unicode_name
    )
    info = GbkZipInfo("证书.pdf")
    info.extra = extra
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, b"%PDF-1.4")
    assert [name for name, _ in members(buffer.getvalue())] == ["证书（原件）.pdf"]


def test_nested_zips_are_opened_to_three_levels_and_no_deeper():
    level3 = make_zip({"深处.pdf": b"%PDF-1.4"}, gbk=True)
    level2 = make_zip({"三.zip": level3}, gbk=True)
    level1 = make_zip({"二.zip": level2})
    assert [name for name, _ in members(make_zip({"一.zip": level1}))] == ["一.zip/二.zip/三.zip/深处.pdf"]
    with pytest.raises(IntakeError) as caught:
        members(make_zip({"零.zip": make_zip({"一.zip": level1})}))
    assert caught.value.code == "archive_bomb" and "嵌套超过 3 层" in caught.value.message


def test_nested_zips_share_one_size_budget():
    inner = make_zip({f"件{i}.pdf": bytes(range(256)) * 400 for i in range(4)})
    with pytest.raises(IntakeError) as caught:
        members(
            make_zip({"表.docx": FORM, "附件.zip": inner}),
            Settings(max_archive_mb=(len(inner) + 200_000) / 2**20),
        )
    assert caught.value.code == "archive_bomb"
