"""Build minimal but valid .docx files from WordprocessingML snippets at test time.

Exotic features (content controls around rows, tracked changes, text boxes with ``mc:AlternateContent``,
legacy form fields, Strict namespaces) are easier to write, and more faithful, as XML than through python-docx.
The tests at the bottom check that what this builder writes is a package Word tools accept (python-docx).
"""

from __future__ import annotations

import io
import zipfile
from html import escape
from pathlib import Path

import docx
import pytest

from pipelines.config import Settings
from pipelines.intake.extract import extract_bytes
from pipelines.schema import IntakeError, Submission

NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "v": "urn:schemas-microsoft-com:vml",
}
STRICT_W = "http://purl.oclc.org/ooxml/wordprocessingml/main"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Default Extension="png" ContentType="image/png"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="word/document.xml"/></Relationships>"""
DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
 Target="styles.xml"/>{image}</Relationships>"""
IMAGE_REL = """<Relationship Id="rIdImg" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
 Target="media/image1.png"/>"""
# Chinese Word names its heading styles 标题 1 … with numeric style ids; both spellings are exercised.
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/>
<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:basedOn w:val="a"/>
<w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="a5"><w:name w:val="标题 3"/></w:style>
</w:styles>"""
# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


MARGIN_REL = """<Relationship Id="rId{kind}{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}"
 Target="{kind}{n}.xml"/>"""


def build_docx(
    body: str,
    path: Path | None = None,
    strict: bool = False,
    with_image: bool = False,
    image: bytes = PNG,
    headers: tuple[str, ...] = (),
    footers: tuple[str, ...] = (),
) -> bytes:
    """A .docx whose ``w:body`` holds ``body`` (a string of WordprocessingML); written to ``path`` if given.

    With ``with_image`` the package holds ``image`` as ``word/media/image1.png`` (see ``picture()``).
    ``headers`` and ``footers`` are the contents of page header and footer parts (first page, then default).
    """
    ns = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    margins = [("header", n, content) for n, content in enumerate(headers, 1)]
    margins += [("footer", n, content) for n, content in enumerate(footers, 1)]
    references = "".join(
        f'<w:{kind}Reference w:type="{"first" if n == 1 and len(headers) > 1 else "default"}" r:id="rId{kind}{n}"/>'
        for kind, n, _ in margins
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {ns} mc:Ignorable="w14">'
        f'<w:body>{body}<w:sectPr>{references}<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    )
    if strict:
        document = document.replace(NAMESPACES["w"], STRICT_W)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        overrides = "".join(
            f'<Override PartName="/word/{kind}{n}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"/>'
            for kind, n, _ in margins
        )
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.replace("</Types>", f"{overrides}</Types>"))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("word/document.xml", document)
        rels = (IMAGE_REL if with_image else "") + "".join(
            MARGIN_REL.format(kind=kind, n=n) for kind, n, _ in margins
        )
        archive.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS.format(image=rels))
        for kind, n, content in margins:
            tag = "hdr" if kind == "header" else "ftr"
            archive.writestr(
                f"word/{kind}{n}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><w:{tag} {ns}>{content}</w:{tag}>',
            )
        archive.writestr("word/styles.xml", STYLES)
        if with_image:
            archive.writestr("word/media/image1.png", image)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def run(text: str, font: str | None = None) -> str:
    fonts = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>' if font else ""
    return f'<w:r>{fonts}<w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r>'


def para(*content: str, style: str | None = None, center: bool = False) -> str:
    """A paragraph; plain strings become runs, strings starting with ``<`` are inserted as XML."""
    inner_properties = (f'<w:pStyle w:val="{style}"/>' if style else "") + (
        '<w:jc w:val="center"/>' if center else ""
    )
    properties = f"<w:pPr>{inner_properties}</w:pPr>" if inner_properties else ""
    inner = "".join(item if item.startswith("<") else run(item) for item in content)
    return f"<w:p>{properties}{inner}</w:p>"


def cell(*paragraphs: str, span: int = 1, vmerge: str | None = None) -> str:
    """A table cell; plain strings become paragraphs. ``vmerge``: "restart", "" (bare) or "continue"."""
    properties = ""
    if span > 1:
        properties += f'<w:gridSpan w:val="{span}"/>'
    if vmerge is not None:
        properties += (
            '<w:vMerge w:val="restart"/>'
            if vmerge == "restart"
            else ('<w:vMerge w:val="continue"/>' if vmerge == "continue" else "<w:vMerge/>")
        )
    inner = "".join(item if item.startswith("<") else para(item) for item in paragraphs) or "<w:p/>"
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{inner}</w:tc>"


def row(*cells: str) -> str:
    return "<w:tr>" + "".join(item if item.startswith("<") else cell(item) for item in cells) + "</w:tr>"


def table(*rows: str, columns: int = 4) -> str:
    grid = "".join('<w:gridCol w:w="2000"/>' for _ in range(columns))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def pair_rows(*pairs: tuple[str, str]) -> str:
    """Rows of (label, value) cells in a 2-column layout."""
    return "".join(row(cell(label), cell(value)) for label, value in pairs)


def w14_checkbox(checked: bool) -> str:
    value = "1" if checked else "0"
    glyph = "☒" if checked else "☐"
    return (
        f'<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{value}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" '
        f'w14:font="MS Gothic"/></w14:checkbox></w:sdtPr><w:sdtContent>{run(glyph)}</w:sdtContent></w:sdt>'
    )


def legacy_checkbox(state: str) -> str:
    """A FORMCHECKBOX field; ``state`` is the XML inside ``w:checkBox`` after ``w:sizeAuto``."""
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:enabled/>'
        f"<w:checkBox><w:sizeAuto/>{state}</w:checkBox></w:ffData></w:fldChar></w:r>"
        '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def symbol(font: str, char: str) -> str:
    return f'<w:r><w:sym w:font="{font}" w:char="{char}"/></w:r>'


def picture() -> str:
    return (
        '<w:r><w:drawing><wp:inline><wp:extent cx="100" cy="100"/><wp:docPr id="1" name="p"/><a:graphic>'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        '<pic:nvPicPr><pic:cNvPr id="1" name="p"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip r:embed="rIdImg"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData>'
        "</a:graphic></wp:inline></w:drawing></w:r>"
    )


def text_box(*paragraphs: str) -> str:
    """A floating text box written as Word does: DrawingML choice plus VML fallback with the same text."""
    inner = "".join(item if item.startswith("<") else para(item) for item in paragraphs)
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="2" name="t"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData>"
        "</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
        f"<w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def test_built_package_opens_in_python_docx(tmp_path):
    path = tmp_path / "built.docx"
    build_docx(para("标题") + table(row(cell("案例名称"), cell("某平台", span=3))), path, with_image=True)
    document = docx.Document(str(path))
    assert document.paragraphs[0].text == "标题"
    assert document.tables[0].rows[0].cells[0].text == "案例名称"


def test_built_cells_honour_span_and_merge(tmp_path):
    body = table(row(cell("A", vmerge="restart"), cell("B")), row(cell(vmerge=""), cell("C")), columns=2)
    document = docx.Document(io.BytesIO(build_docx(body)))
    rows = document.tables[0].rows
    # python-docx repeats merged text: the very reason the extractor reads the XML itself.
    assert [c.text for c in rows[1].cells] == ["A", "C"]


def read(body: str, **package: object) -> Submission:
    """Extract a form built from ``body`` (``package``: headers, footers … passed to ``build_docx``)."""
    return extract_bytes(build_docx(body, **package), "样表.docx", Settings())


def refused(body: str, **package: object) -> IntakeError:
    """The refusal a form built from ``body`` gets (fails the test when it is read)."""
    with pytest.raises(IntakeError) as caught:
        read(body, **package)
    return caught.value


def fields(submission: Submission) -> tuple:
    """The five fields the evaluation scores."""
    return (
        submission.title,
        submission.unit,
        submission.implementer,
        submission.declared_category,
        submission.launch_date,
    )
