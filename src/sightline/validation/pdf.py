"""A finished study as a PDF: the headline, then each section's chart and table (matplotlib only,
like the reports' PDF). Built from the stored result alone (see `presentation`)."""

from __future__ import annotations

import io
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from sightline.validation import presentation

A4 = (8.27, 11.69)
ROWS_PER_PAGE = 34


def _table_pages(section: presentation.Section) -> list[Figure]:
    pages = []
    chunks = [
        section.rows[i : i + ROWS_PER_PAGE]
        for i in range(0, max(len(section.rows), 1), ROWS_PER_PAGE)
    ]
    for number, rows in enumerate(chunks, start=1):
        page = Figure(figsize=A4)
        title = section.title + (f" (part {number})" if len(chunks) > 1 else "")
        page.text(0.06, 0.95, title, fontsize=13, weight="bold")
        page.text(0.06, 0.915, section.note, fontsize=8, wrap=True, va="top")
        if rows and section.columns:
            axes = page.add_axes((0.06, 0.05, 0.88, 0.80))
            axes.axis("off")
            table = axes.table(
                cellText=[list(r) for r in rows],
                colLabels=list(section.columns),
                loc="upper left",
                cellLoc="left",
            )
            table.auto_set_font_size(False)
            table.set_fontsize(7)
            table.scale(1, 1.3)
        pages.append(page)
    return pages


def study_pdf(result: dict[str, Any], *, title: str, uncompressed: bool = False) -> bytes:
    """The study report as PDF bytes; `uncompressed` writes the streams plainly (for tests that
    search the file's text)."""
    buffer = io.BytesIO()
    with (
        rc_context({"pdf.compression": 0 if uncompressed else 6, "pdf.fonttype": 3}),
        PdfPages(buffer, metadata={"Title": title}) as pdf,
    ):
        cover = Figure(figsize=A4)
        cover.text(0.06, 0.94, title, fontsize=18, weight="bold")
        cover.text(0.06, 0.91, "Validation study on de-identified data", fontsize=11)
        y = 0.86
        for label, value in presentation.headline(result):
            cover.text(0.06, y, f"{label}: {value}", fontsize=9)
            y -= 0.025
        cover.text(
            0.06,
            y - 0.02,
            f"* fewer than {result['small_group']} youth: shown, but interpret with care.",
            fontsize=8,
        )
        pdf.savefig(cover)
        for section in presentation.sections(result):
            if section.chart is not None:
                figure = section.chart()
                figure.suptitle(section.title, fontsize=10)
                pdf.savefig(figure, bbox_inches="tight")
            for page in _table_pages(section):
                pdf.savefig(page)
    return buffer.getvalue()
