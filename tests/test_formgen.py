"""The form generator: every layout opens and carries the XML features it promises; bad files are what
they claim to be; archives; the sample and benchmark sets."""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import docx
import msoffcrypto
import olefile
import pytest
from lxml import etree

from pipelines.config import get_settings
from pipelines.vocabulary import CATEGORY_NAMES
from tools import formgen

W = f"{{{formgen.W_NS}}}"
W14 = f"{{{formgen.W14_NS}}}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS = {"w": formgen.W_NS, "w14": formgen.W14_NS, "mc": MC[1:-1]}

SECTIONS = {
    "案例简介": "本案例围绕行业数据新闻品牌建设展开。栏目每周出版一期，覆盖报纸、客户端和社交平台。",
    "主要做法": "组建跨部门数据团队。建设行业数据库，汇集统计指标四万余项。"
    + "邀请专家审核统计口径和图表，确保准确。" * 8,
    "创新点": "以连续的数据故事呈现行业转型趋势。\n推出可交互的数据地图。",
    "取得成效": "累计刊发一百三十余期，阅读量超过一亿人次。",
    "推广价值": "为行业媒体开展数据新闻提供了可复制的流程。",
}
CASES = [
    {
        "id": "T001",
        "title": "用数据讲述能源转型——“碳路观察”数据新闻品牌",
        "unit": "中国能源观察报社",
        "implementer": "中国能源观察报社",
        "declared_categories": [2],
        "launch_text": "2023年3月",
        "launch_expected": "2023-03",
        "status": "正常运营",
        "contact": {"name": "孙立峰", "phone": "010-68215437", "email": "sunlf@example.cn"},
        "previous": [],
        "sections": SECTIONS,
        "attachments": ["版面样张.pdf", "地图截图.jpg"],
        "triggers": [],
    },
    {
        "id": "T002",
        "title": "“垦区云”融媒体传播平台2.0",
        "unit": "中国农垦传媒中心",
        "implementer": "农垦传媒科技有限公司",
        "declared_categories": [1, 4],
        "launch_text": "2023年6月（2025年4月升级上线2.0版）",
        "launch_expected": "2023-06",
        "status": "正常运营",
        "contact": {"name": "李娜", "phone": "13912345678", "email": "lina@example.cn"},
        "previous": [{"year": 2024, "title": "“垦区云”融媒体传播平台", "result": "未入选"}],
        "sections": SECTIONS,
        "attachments": [],
        "triggers": [{"rule": "multiple_categories"}],
    },
    {
        "id": "T003",
        "title": "气象服务智能体“问天”",
        "unit": "中国气象科普传媒有限公司",
        "implementer": "中国气象科普传媒有限公司",
        "declared_categories": [4],
        "launch_text": "在建，预计2026年6月上线",
        "status": "在建",
        "contact": {"name": "韩思远", "phone": "010-58993216", "email": "hansy@example.cn"},
        "previous": [
            {"year": 2024, "title": "气象数字人主播", "result": "未入选"},
            {"year": 2025, "title": "气象数字人主播“云小晴”", "result": "入选"},
        ],
        "sections": SECTIONS,
        "attachments": ["演示视频.mp4"],
    },
    {
        "id": "T004",
        "title": "国际传播中心多语种平台",
        "unit": "中国文旅融媒集团",
        "declared_categories": [],
        "launch_text": "2022.09",
        "launch_expected": "2022-09",
        "status": "已上线运营",
        "contact": {"name": "王敏", "phone": "010-66001234", "email": "wangmin@example.cn"},
        "previous": [],
        "sections": SECTIONS,
        "attachments": ["多语种页面截图.jpg"],
    },
]


def _read(path: Path, part: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(part))


def _paragraph_texts(root: etree._Element) -> list[str]:
    """Visible text per paragraph: deleted text (w:delText) is not w:t; VML fallbacks are skipped."""
    texts = []
    for p in root.iter(f"{W}p"):
        if any(a.tag == f"{MC}Fallback" for a in p.iterancestors()):
            continue
        texts.append("".join(t.text or "" for t in p.iter(f"{W}t") if not _in_fallback(t)))
    return texts


def _in_fallback(element: etree._Element) -> bool:
    return any(a.tag == f"{MC}Fallback" for a in element.iterancestors())


def _xpath(root: etree._Element, path: str) -> list:
    return root.xpath(path, namespaces=NS)


@pytest.fixture
def form_path(tmp_path):
    def build(layout: str, case: dict = CASES[0]) -> Path:
        path = tmp_path / f"{case['id']}_{layout}.docx"
        formgen.write_form(case, path, layout)
        return path

    return build


# --- every layout ------------------------------------------------------------------------------------------


def test_there_are_at_least_eight_layouts():
    assert len(formgen.LAYOUTS) >= 8
    assert len(set(formgen.LAYOUTS)) == len(formgen.LAYOUTS)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
@pytest.mark.parametrize("layout", formgen.LAYOUTS)
def test_layout_opens_and_shows_the_case(form_path, layout, case):
    path = form_path(layout, case)
    document = docx.Document(path)
    assert document.element.body is not None
    root = _read(path)
    assert root.nsmap["w14"] == formgen.W14_NS
    assert "w14" in root.get(f"{MC}Ignorable").split()
    texts = [t.strip() for t in _paragraph_texts(root)]
    for field in ("title", "unit"):
        assert any(case[field] in t for t in texts), field
    assert any(case["contact"]["phone"] in t for t in texts)
    assert any(case["sections"]["推广价值"] in t for t in texts)


def test_write_form_rejects_an_unknown_layout(tmp_path):
    with pytest.raises(ValueError, match="未知的版式"):
        formgen.write_form(CASES[0], tmp_path / "x.docx", "no_such_layout")


def test_layout_for_is_round_robin_over_ids():
    ids = [f"S{i:03d}" for i in range(1, 45)]
    layouts = [formgen.layout_for(i) for i in ids]
    assert layouts[: len(formgen.LAYOUTS)] == list(formgen.LAYOUTS)
    assert layouts[len(formgen.LAYOUTS)] == formgen.LAYOUTS[0]
    assert formgen.layout_for("abc") == formgen.layout_for("abc") in formgen.LAYOUTS


def test_files_are_reproducible(form_path, tmp_path):
    first = form_path("legacy_checkbox").read_bytes()
    assert form_path("legacy_checkbox").read_bytes() == first


# --- the XML features each layout promises --------------------------------------------------------------------


def test_classic_table(form_path):
    path = form_path("classic_table")
    root = _read(path)
    assert len(_xpath(root, "//w:tbl")) == 1
    texts = _paragraph_texts(root)
    assert "☑内容供给创新类" in "".join(texts) and "□全媒体传播建设类" in "".join(texts)
    assert "（300字以内）" in texts
    assert _xpath(root, "//w:proofErr") and _xpath(root, "//w:bookmarkStart[@w:name='_GoBack']")
    link = _xpath(root, "//w:hyperlink")[0]
    assert "".join(link.itertext()) == CASES[0]["contact"]["email"]
    rels = _read(path, "word/_rels/document.xml.rels")
    (rel,) = [r for r in rels if r.get("Id") == link.get(f"{R}id")]
    assert (
        rel.get("Target") == f"mailto:{CASES[0]['contact']['email']}" and rel.get("TargetMode") == "External"
    )


def test_grid_span(form_path):
    root = _read(form_path("grid_span", CASES[2]))
    spans = {int(v) for v in _xpath(root, "//w:gridSpan/@w:val")}
    assert {2, 3, 5} <= spans
    row = _xpath(root, "//w:tr[w:tc[1]//w:t='申报单位（全称）']")[0]
    labels = ["".join(tc.itertext()) for tc in _xpath(row, "w:tc")]
    assert labels == ["申报单位（全称）", CASES[2]["unit"], "联系人", CASES[2]["contact"]["name"]]
    assert _xpath(root, "//w:tc[w:tcPr/w:gridSpan/@w:val='3']//w:t[.='气象数字人主播“云小晴”']")
    email_cell = _xpath(root, "//w:tc[w:p/w:r/w:instrText[contains(., 'HYPERLINK')]]")[0]
    assert "".join(t.text for t in email_cell.iter(f"{W}t")) == CASES[2]["contact"]["email"]


def test_vmerge_group_is_word_style(form_path):
    root = _read(form_path("vmerge_group"))
    assert len(_xpath(root, "//w:vMerge[@w:val='restart']")) == 3
    bare = _xpath(root, "//w:vMerge[not(@w:val)]")
    assert bare and not _xpath(root, "//w:vMerge[@w:val='continue']")
    restart = _xpath(root, "//w:tc[w:tcPr/w:vMerge/@w:val='restart']")
    assert ["".join(tc.itertext()) for tc in restart] == ["基本信息", "联系方式", "案例内容"]
    assert all("".join(tc.itertext()) == "" for tc in _xpath(root, "//w:tc[w:tcPr/w:vMerge[not(@w:val)]]"))
    assert _xpath(root, "//w:tr[w:tc[2]//w:t='主要做法']/w:tc[1]/w:tcPr/w:vMerge")


def test_vmerge_wps_is_wps_style(form_path):
    path = form_path("vmerge_wps")
    root = _read(path)
    assert len(_xpath(root, "//w:vMerge[@w:val='restart']")) == 3
    assert _xpath(root, "//w:vMerge[@w:val='continue']") and not _xpath(root, "//w:vMerge[not(@w:val)]")
    assert _xpath(root, "//w:tc[w:tcPr/w:vMerge/@w:val='restart']/w:tcPr/w:textDirection")
    assert "√内容供给创新类" in "".join(_paragraph_texts(root)).replace(" ", "")
    assert "WPS Office" in "".join(_read(path, "docProps/app.xml").itertext())


def test_vertical_labels(form_path):
    root = _read(form_path("vertical_labels"))
    stacked = _xpath(root, "//w:tc[count(w:p)=4]")
    assert any([("".join(p.itertext())) for p in _xpath(tc, "w:p")] == list("项目名称") for tc in stacked)
    assert _xpath(root, "//w:tc[.//w:br]//w:t[.='申']")
    texts = _paragraph_texts(root)
    assert "申 报 主 体" in texts and "运\u3000营\u3000单\u3000位" in texts
    unit_cell = _xpath(root, "//w:tr[.//w:t='申 报 主 体']/w:tc[2]")[0]
    assert ["".join(p.itertext()) for p in _xpath(unit_cell, "w:p")] == ["（请填写全称）", CASES[0]["unit"]]
    assert "不超过800字" in texts and "投入运营时间" in texts


def test_single_cell_sections(form_path):
    root = _read(form_path("single_cell_sections"))
    rows = _xpath(root, "//w:tr[count(w:tc)=1]")
    headings = ["".join(_xpath(row, "w:tc/w:p[1]")[0].itertext()) for row in rows]
    assert headings[:2] == ["一、案例简介（300字以内）", "二、主要做法（1500字以内）"]
    assert all(_xpath(row, "w:tc/w:tcPr/w:gridSpan[@w:val='4']") for row in rows)
    assert CASES[0]["sections"]["取得成效"] in "".join(rows[3].itertext())


def test_cover_paragraphs(form_path):
    path = form_path("cover_paragraphs")
    root = _read(path)
    assert not _xpath(root, "//w:tbl")
    texts = _paragraph_texts(root)
    assert any(t.startswith("案例名称：") and CASES[0]["title"] in t for t in texts)
    assert any(t.startswith("申报类别：") and "■内容供给创新类" in t for t in texts)
    headings = [p.text for p in docx.Document(path).paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["一、案例简介", "二、主要做法"]


def _checkbox_controls(root: etree._Element) -> dict[str, bool]:
    """Category name -> ticked, read from w14:checkbox content controls (the run after each control)."""
    ticks = {}
    for sdt in _xpath(root, "//w:sdt[w:sdtPr/w14:checkbox]"):
        checked = _xpath(sdt, "w:sdtPr/w14:checkbox/w14:checked/@w14:val")[0] in ("1", "true")
        ticks["".join(sdt.getnext().itertext()).strip()] = checked
    return ticks


def test_content_controls(form_path):
    root = _read(form_path("content_controls"))
    assert _xpath(root, "//w:tr/w:sdt/w:sdtContent/w:tc"), "cell-level control"
    assert _xpath(root, "//w:tbl/w:sdt/w:sdtContent/w:tr"), "row-level control"
    assert _xpath(root, "//w:p/w:sdt/w:sdtContent/w:r"), "run-level control"
    assert _xpath(root, "//w:tc/w:sdt/w:sdtContent/w:p"), "block-level control in a cell"
    title_cell = _xpath(root, "//w:sdt[w:sdtPr/w:alias/@w:val='案例名称']/w:sdtContent/w:tc")[0]
    assert "".join(title_cell.itertext()) == CASES[0]["title"]
    ticks = _checkbox_controls(root)
    assert ticks == {name: n == 2 for n, name in CATEGORY_NAMES.items()}
    checked = _xpath(root, "//w:sdt[w:sdtPr/w14:checkbox/w14:checked/@w14:val='1']//w:t")
    assert [t.text for t in checked] == ["☒"]
    placeholders = _xpath(root, "//w:sdt[w:sdtPr/w:showingPlcHdr]//w:t")
    assert placeholders and all(t.text == formgen.PLACEHOLDER_TEXT for t in placeholders)
    assert _xpath(root, "//w:sdt/w:sdtPr/w:date[@w:fullDate='2023-03-01T00:00:00Z']")


def _legacy_ticks(root: etree._Element) -> dict[str, bool]:
    """Category name -> ticked, read from FORMCHECKBOX fields (w:checked wins over w:default)."""
    ticks, state = {}, None
    for element in _xpath(root, "//w:tr[.//w:t='申报类别']//*[self::w:checkBox or self::w:t]"):
        if element.tag == f"{W}checkBox":
            checked = element.find(f"{W}checked")
            node = checked if checked is not None else element.find(f"{W}default")
            state = node.get(f"{W}val", "1") in ("1", "true", "on")
        elif state is not None and element.text.strip():
            ticks[element.text.strip()] = state
            state = None
    return ticks


@pytest.mark.parametrize("case", CASES[:2], ids=["one", "two"])
def test_legacy_checkbox_fields(form_path, case):
    root = _read(form_path("legacy_checkbox", case))
    assert _legacy_ticks(root) == {
        name: n in case["declared_categories"] for n, name in CATEGORY_NAMES.items()
    }
    assert _xpath(root, "//w:fldChar[@w:fldCharType='begin']/w:ffData/w:checkBox/w:checked[not(@w:val)]")
    assert len(_xpath(root, "//w:instrText[contains(., 'FORMCHECKBOX')]")) == 6
    if len(case["declared_categories"]) > 1:
        assert _xpath(root, "//w:checkBox[not(w:checked)]/w:default[@w:val='1']")


def test_legacy_checkbox_revisions_symbols_smart_tags_and_text_box(form_path):
    case = CASES[2]
    root = _read(form_path("legacy_checkbox", case))
    texts = _paragraph_texts(root)
    assert case["title"] in texts, "deleted text left out, inserted text kept"
    assert _xpath(root, "//w:del/w:r/w:delText") and _xpath(root, "//w:ins/w:r/w:t")
    assert "（暂定名）" not in "".join(texts)
    assert _xpath(root, "//w:sym[@w:font='Wingdings 2' and @w:char='F052']")
    assert _xpath(root, "//w:sym[@w:char='F0A3']")
    assert [("".join(t.itertext())) for t in _xpath(root, "//w:smartTag")] == [case["unit"]]
    boxes = _xpath(root, "//mc:AlternateContent//w:txbxContent")
    assert len(boxes) == 2, "DrawingML choice and VML fallback"
    assert all(case["contact"]["email"] in "".join(box.itertext()) for box in boxes)
    runs = [t for t in root.iter(f"{W}t") if case["contact"]["email"] in t.text and not _in_fallback(t)]
    assert len(runs) == 1


def test_nested_tables(form_path):
    path = form_path("nested_tables", CASES[1])
    root = _read(path)
    nested = _xpath(root, "//w:tc/w:tbl")
    assert len(nested) == 3
    assert CASES[1]["contact"]["phone"] in "".join(nested[1].itertext())
    assert all(tbl.getnext().tag == f"{W}p" for tbl in nested), "a paragraph must follow a nested table"
    contact_cell = docx.Document(path).tables[0].cell(6, 1)
    assert (
        CASES[1]["contact"]["phone"] not in contact_cell.text
    )  # python-docx's cell.text misses nested tables


# --- bad files ---------------------------------------------------------------------------------------------


def _bad(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.docx"
    formgen.write_bad_file(kind, path)
    return path


def test_every_bad_kind_has_an_expected_error():
    assert set(formgen.EXPECTED_ERRORS) == set(formgen.BAD_KINDS)


def test_empty(tmp_path):
    assert _bad(tmp_path, "empty").stat().st_size == 0


@pytest.mark.parametrize(("kind", "stream"), [("legacy_doc", "WordDocument"), ("wps", "WpsCustomData")])
def test_ole_files(tmp_path, kind, stream):
    path = _bad(tmp_path, kind)
    data = path.read_bytes()
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1") and 4096 < len(data) < 20000
    with olefile.OleFileIO(str(path)) as ole:
        assert ole.exists(stream) and ole.exists("WordDocument")
        assert ole.openstream("WordDocument").read(2) == b"\xec\xa5"


def test_pdf_renamed(tmp_path):
    data = _bad(tmp_path, "pdf_renamed").read_bytes()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[xref : xref + 4] == b"xref"


def test_text_renamed(tmp_path):
    path = _bad(tmp_path, "text_renamed")
    assert not zipfile.is_zipfile(path)
    assert "申报表" in path.read_bytes().decode("gb18030")


def test_encrypted(tmp_path):
    path = _bad(tmp_path, "encrypted")
    assert olefile.isOleFile(str(path))
    with path.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        assert office.is_encrypted()
        office.load_key(password="secret")
        plain = tmp_path / "plain.docx"
        with plain.open("wb") as out:
            office.decrypt(out)
    assert "申报单位" in "".join(_paragraph_texts(_read(plain)))


def test_truncated(tmp_path):
    path = _bad(tmp_path, "truncated")
    assert path.read_bytes()[:4] == b"PK\x03\x04"
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(path)


def test_images_only(tmp_path):
    path = _bad(tmp_path, "images_only")
    docx.Document(path)
    root = _read(path)
    assert not "".join(_paragraph_texts(root)).strip()
    assert (
        len(root.xpath("//a:blip", namespaces={"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}))
        == 1
    )
    with zipfile.ZipFile(path) as archive:
        assert archive.read("word/media/rId10.png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_lock_file(tmp_path):
    data = _bad(tmp_path, "lock_file").read_bytes()
    assert len(data) == 162 and data[1 : 1 + data[0]] == b"Administrator"


def test_not_a_form(tmp_path):
    path = _bad(tmp_path, "not_a_form")
    text = "".join(p.text for p in docx.Document(path).paragraphs)
    assert "通知" in text and "申报" not in text


def test_too_large(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MAX_FILE_MB", "2")
    get_settings.cache_clear()
    try:
        path = _bad(tmp_path, "too_large")
        assert path.stat().st_size > 2 * 1024 * 1024
    finally:
        get_settings.cache_clear()
    docx.Document(path)


def test_unknown_bad_kind(tmp_path):
    with pytest.raises(ValueError, match="未知的异常文件类型"):
        formgen.write_bad_file("nope", tmp_path / "x")


# --- archives ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_zip_bundle(tmp_path, form_path, encoding):
    forms = []
    for index, layout in enumerate(formgen.LAYOUTS[:3]):
        forms.append(form_path(layout).rename(tmp_path / f"{index}_申报表（{layout}）.docx"))
    bundle = tmp_path / "批量.zip"
    formgen.write_zip_bundle(forms, bundle, name_encoding=encoding)
    with zipfile.ZipFile(bundle) as archive:
        infos = archive.infolist()
        names = [
            i.filename if i.flag_bits & 0x800 else i.filename.encode("cp437").decode("gbk") for i in infos
        ]
        assert names == [p.name for p in forms]
        assert all(bool(i.flag_bits & 0x800) == (encoding == "utf-8") for i in infos)
        assert archive.read(infos[0]) == forms[0].read_bytes()


def test_zip_traversal(tmp_path):
    path = tmp_path / "t.zip"
    formgen.write_zip_traversal(path)
    with zipfile.ZipFile(path) as archive:
        assert "../../evil.docx" in archive.namelist()
        assert archive.testzip() is None


def test_zip_bomb_declares_gigabytes_in_a_small_file(tmp_path):
    path = tmp_path / "bomb.zip"
    formgen.write_zip_bomb(path)
    with zipfile.ZipFile(path) as archive:
        (info,) = archive.infolist()
        assert info.file_size >= 1 << 30 and info.file_size == 2000 << 20
        with archive.open(info) as member:
            assert member.read(1 << 20) == bytes(1 << 20)
    assert path.stat().st_size < 3 << 20


def test_small_zip_bomb_inflates_with_a_valid_crc(tmp_path):
    path = tmp_path / "bomb.zip"
    formgen.write_zip_bomb(path, uncompressed_mb=8)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.read(archive.infolist()[0]) == bytes(8 << 20)


def test_corrupt_zip(tmp_path):
    path = tmp_path / "c.zip"
    formgen.write_corrupt_zip(path)
    assert path.read_bytes()[:4] == b"PK\x03\x04" and not zipfile.is_zipfile(path)


# --- sample and benchmark sets -------------------------------------------------------------------------------


def _cases_file(tmp_path: Path, cases: list[dict]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return path


def test_build_sample(tmp_path):
    out = tmp_path / "forms"
    manifest = formgen.build_sample(_cases_file(tmp_path, CASES), out)
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == manifest
    forms = manifest["forms"]
    assert [entry["id"] for entry in forms.values()] == ["T001", "T002", "T003", "T004"]
    first = forms["T001_用数据讲述能源转型碳路观.docx"]
    assert first["layout"] == formgen.LAYOUTS[0]
    assert first["expected"] == {
        "title": CASES[0]["title"],
        "unit": CASES[0]["unit"],
        "implementer": CASES[0]["implementer"],
        "declared_category": 2,
        "launch_date": "2023-03",
    }
    assert forms["T002_垦区云融媒体传播平台20.docx"]["expected"]["declared_category"] is None
    assert forms["T002_垦区云融媒体传播平台20.docx"]["triggers"] == [{"rule": "multiple_categories"}]
    assert forms["T004_国际传播中心多语种平台.docx"]["expected"]["implementer"] == CASES[3]["unit"]
    bad = manifest["bad_files"]
    assert bad["~$T001_用数据讲述能源转型碳路观.docx"]["expected_error"] == "lock_file"
    assert bad["X02_旧版doc改名.docx"] == {"kind": "legacy_doc", "expected_error": "legacy_word"}
    assert bad["路径穿越.zip"]["expected_error"] == "unsafe_archive"
    for name in [*forms, *bad, *manifest["bundles"]]:
        assert (out / name).exists(), name
    for name in forms:
        docx.Document(out / name)


def test_build_sample_replaces_its_previous_files(tmp_path):
    out = tmp_path / "forms"
    formgen.build_sample(_cases_file(tmp_path, CASES), out)
    stray = out / "notes.txt"
    stray.write_text("kept", encoding="utf-8")
    manifest = formgen.build_sample(_cases_file(tmp_path, CASES[:2]), out)
    listed = {*manifest["forms"], *manifest["bad_files"], *manifest["bundles"], "manifest.json", stray.name}
    assert {p.name for p in out.iterdir()} == listed


def test_write_many_cycles_layouts(tmp_path):
    paths = formgen.write_many(23, tmp_path / "bench", seed=3, base_cases=CASES)
    assert len(paths) == 23 and all(p.exists() for p in paths)
    manifest = json.loads((tmp_path / "bench" / "manifest.json").read_text(encoding="utf-8"))
    assert {entry["layout"] for entry in manifest["forms"].values()} == set(formgen.LAYOUTS)
    for path in paths[:: len(formgen.LAYOUTS) - 1]:
        expected = manifest["forms"][path.name]["expected"]
        texts = _paragraph_texts(_read(path))
        assert any(expected["title"] in t for t in texts) and any(expected["unit"] in t for t in texts)
    again = formgen.write_many(23, tmp_path / "again", seed=3, base_cases=CASES)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_cli_build_sample(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    formgen.add_cli(parser.add_subparsers(dest="verb"))
    out = tmp_path / "forms"
    args = parser.parse_args(
        ["build-sample", "--cases", str(_cases_file(tmp_path, CASES)), "--out", str(out)]
    )
    assert args.func(args) == 0
    assert "已生成 4 份申报表" in capsys.readouterr().out
    assert (out / "manifest.json").exists()
