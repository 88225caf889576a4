"""Which file of a batch belongs to which application form, decided on names only.

A file belongs to the one Word form in its folder, or in the nearest enclosing folder or zip that holds forms;
where that holds several forms the file is ambiguous and the caller decides (by the forms' 附件清单), else it is
listed as unassigned. Grouping never climbs above the folder or zip the user named (``Source.top``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pipelines.intake.archive import Source


@dataclass
class Grouping:
    """Which files belong to which form, decided on names (indices into the list given to ``group_sources``).

    ``files[f]`` are the files of form ``f``; ``ambiguous`` maps a file to the forms it could belong to
    (several forms share its nearest folder); ``unassigned`` files have no form above them at all.
    """

    forms: list[int] = field(default_factory=list)
    files: dict[int, list[int]] = field(default_factory=dict)
    ambiguous: dict[int, list[int]] = field(default_factory=dict)
    unassigned: list[int] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)  # archives that could not be opened at all


def _ancestors(folder: str, top: str) -> Iterator[str]:
    """``folder`` and its parents up to ``top`` (inclusive); ``""`` is the root of uploads."""
    while True:
        yield folder
        if folder == top or not folder:
            return
        folder = folder.rsplit("/", 1)[0] if "/" in folder else ""


def group_sources(sources: list[Source], not_forms: frozenset[int] = frozenset()) -> Grouping:
    """Assign every non-form file to a form by folder: its own folder (a form right beside the file before forms
    in subfolders, which are other units'), else the nearest enclosing folder or zip holding forms.

    Args:
        sources: the batch, e.g. ``list(iter_sources(paths, settings))``.
        not_forms: Word files known not to be application forms (extraction refused them): they keep their
            own line but get no files and do not compete with the real form of their folder.

    Returns:
        The grouping; every index appears exactly once among forms, files, ambiguous, unassigned, errors.
    """
    grouping = Grouping()
    for index, source in enumerate(sources):
        if source.error is not None and not source.in_archive:
            grouping.errors.append(index)
        elif source.is_form:
            grouping.forms.append(index)
    grouping.files = {i: [] for i in grouping.forms}
    under: dict[str, list[int]] = {}  # folder -> forms in it or below (lock files ~$ do not count)
    direct: dict[str, list[int]] = {}  # folder -> forms right in it
    for index in grouping.forms:
        source = sources[index]
        if index not in not_forms and not PurePosixPath(source.name).name.startswith("~$"):
            direct.setdefault(source.folder, []).append(index)
            for folder in _ancestors(source.folder, source.top):
                under.setdefault(folder, []).append(index)
    for index, source in enumerate(sources):
        if index in grouping.files or index in grouping.errors:
            continue
        for folder in _ancestors(source.folder, source.top):
            beside = (
                direct.get(folder) if folder == source.folder else None
            )  # a form right beside the file first
            near = beside or under.get(folder, [])
            if len(near) == 1:
                grouping.files[near[0]].append(index)
                break
            if near:
                grouping.ambiguous[index] = list(near)
                break
        else:
            grouping.unassigned.append(index)
    return grouping
