"""Walking WordprocessingML containers: the paragraphs and tables of a body, cell or text box, the rows of a
table and the cells of a row, looking through content controls and other wrappers without shifting cells."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from pipelines.intake.docx_ticks import MC, W, sdt_state


def first_child(parent: etree._Element, tag: str) -> etree._Element | None:
    """A properties element (``w:pPr``, ``w:trPr``, ``w:tcPr``): first by the schema, or second after
    ``w:tblPrEx`` in a row."""
    size = len(parent)
    if size and parent[0].tag == tag:
        return parent[0]
    if size > 1 and parent[1].tag == tag:
        return parent[1]
    return None


_WRAPPERS = frozenset((f"{W}customXml", f"{W}ins", f"{W}moveTo"))
BLOCK_TAGS = frozenset((f"{W}p", f"{W}tbl"))
ROW_TAGS = frozenset((f"{W}tr",))
CELL_TAGS = frozenset((f"{W}tc",))


def children(
    parent: etree._Element, tags: frozenset[str], placeholder: bool = False
) -> Iterator[tuple[etree._Element, bool]]:
    """Children with one of ``tags``, looking through content controls and other wrappers.

    A wrapper around a row or cell stays transparent so cells never shift; a content control showing its
    placeholder passes ``placeholder=True`` down so its text is dropped but its cells are kept.
    """
    for child in parent:
        tag = child.tag
        if tag in tags:
            yield child, placeholder
        elif tag == f"{W}sdt":
            showing, _tick = sdt_state(child)
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from children(content, tags, placeholder or showing)
        elif tag == f"{MC}AlternateContent":
            branch = child.find(f"{MC}Choice")
            branch = child.find(f"{MC}Fallback") if branch is None else branch
            if branch is not None:
                yield from children(branch, tags, placeholder)
        elif tag in _WRAPPERS:
            yield from children(child, tags, placeholder)


ROW_OTHER = frozenset((f"{W}trPr", f"{W}tblPrEx", f"{W}bookmarkStart", f"{W}bookmarkEnd"))
CONTAINER_OTHER = frozenset((f"{W}tcPr", f"{W}bookmarkStart", f"{W}bookmarkEnd", f"{W}proofErr"))


def plain_children(
    parent: etree._Element, tags: frozenset[str], other: frozenset[str], placeholder: bool = False
) -> list[tuple[etree._Element, bool]]:
    """``_children`` in one pass when ``parent`` holds only ``tags`` and ``other`` (no wrappers): the usual case."""
    found: list[tuple[etree._Element, bool]] = []
    for child in parent:
        tag = child.tag
        if tag in tags:
            found.append((child, placeholder))
        elif tag not in other:
            return list(children(parent, tags, placeholder))
    return found


def blocks(container: etree._Element) -> Iterator[tuple[etree._Element, bool]]:
    """Paragraphs and tables of a body, cell or text box, in order."""
    return children(container, BLOCK_TAGS)
