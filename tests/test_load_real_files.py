"""Loading files shaped like real publications: wrapped text, letters with nested lists,
PDFs with page furniture and contents pages, HTML with site chrome, DOCX with tables.

The fixtures in ``tests/fixtures/docs`` are invented documents in the shape of what
councils and NHS bodies publish (``make_fixtures.py`` builds the PDF and the DOCX).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import docx
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.load import load_document
from ingest.loaders.text import load_txt
from ingest.segment import segment
from kg.model import Document, Passage
from kg.text import sentence_spans
from tests.loader_helpers import assert_clean

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "docs"


def load(name: str) -> Document:
    return load_document(FIXTURES / name, FIXTURES, catalog={})


def sentences(doc: Document) -> list[str]:
    return [doc.text[s:e] for s, e in sentence_spans(doc.text)]


def starts_indented(text: str, passage: Passage) -> bool:
    """Does the passage start on an indented (nested) list line?"""
    before = text[text.rfind("\n", 0, passage.start) + 1 : passage.start]
    return bool(before) and not before.strip()


def passage_with(passages: list[Passage], words: str) -> Passage:
    return next(p for p in passages if words in p.text)


# --- hard-wrapped plain text --------------------------------------------------------


def test_wrapped_minutes_are_joined_into_sentences_and_keep_their_structure() -> None:
    doc = load("northfield-scrutiny-minutes-wrapped.txt")
    assert_clean(doc.text)
    # The title was wrapped over two lines: it is the whole line, not its first half.
    assert (
        doc.title
        == "Minutes of the meeting of the Northfield Adult Social Care and Health Scrutiny Panel"
    )
    said = sentences(doc)
    # A line break before a capitalised word inside a name is not a sentence boundary.
    assert (
        "Ms Priya Shah, Head of Primary Care Contracting, North Vale Integrated Care Board, "
        "presented the report on the eleven community pharmacy closures notified in the city "
        "since April 2023 and the arrangements made for patients of each closed branch."
    ) in said
    assert not any(
        s.startswith(("Care Contracting", "Vale Integrated", "Board could")) for s in said
    )
    # Lines the writer broke on purpose stay apart: the form lines, the headings.
    assert (
        "Date: Wednesday 3 July 2024, 2.00 pm\nVenue: Council House, Room 4, Northfield" in doc.text
    )
    assert "\n\nItem 6: Community pharmacy closures\n\nMs Priya Shah" in doc.text
    # A wrapped list item with a hanging indent is one item; the resolution keeps its parts.
    assert (
        "\n• The Vice-Chair asked for a map of closures by ward.\n" in doc.text
        and "• Councillor Martin Caldwell asked how residents without a car would reach the "
        "nearest remaining pharmacy in Longbridge East."
        in doc.text
    )
    assert "(i) the bus route analysis for Longbridge East;\n(ii) progress on hosting" in doc.text
    sections = {p.section for p in segment(doc)}
    assert {"Item 6: Community pharmacy closures", "Item 7: Work programme 2024-25"} <= sections


_WORDS = st.text(alphabet="abdefghjkmnoprstu", min_size=1, max_size=11)
_SENTENCE = st.lists(st.one_of(_WORDS, _WORDS.map(str.capitalize)), min_size=4, max_size=24).map(
    lambda words: " ".join([words[0].capitalize(), *words[1:]]) + "."
)
_PARAGRAPH = st.lists(_SENTENCE, min_size=3, max_size=8).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=3, max_size=6), st.integers(min_value=48, max_value=100))
def test_wrapping_at_any_width_gives_back_the_same_text(paragraphs: list[str], width: int) -> None:
    """Whatever width a text was wrapped at, the loaded text is the unwrapped one."""
    flat = "\n\n".join(paragraphs).encode()
    wrapped = "\n\n".join(textwrap.fill(p, width, break_on_hyphens=False) for p in paragraphs)
    assert load_txt(wrapped.encode(), "wrapped.txt").text == load_txt(flat, "flat.txt").text


def test_text_that_is_not_wrapped_keeps_its_lines(tmp_path: Path) -> None:
    """Short lines of different lengths (an address, a signature) are not a wrapped paragraph."""
    body = (
        "Riverside House\n12 Canal Street\nNorthfield NF1 4QT\n\n"
        "The Board met on Tuesday.\nIt agreed the plan.\nIt noted the risks.\n"
    )
    path = tmp_path / "a.txt"
    path.write_text(body, encoding="utf-8")
    text = load_document(path, tmp_path, {}).text
    assert text.startswith("Riverside House\n12 Canal Street\nNorthfield NF1 4QT\n\n")
    assert "The Board met on Tuesday.\nIt agreed the plan.\nIt noted the risks." in text


# --- nested lists -------------------------------------------------------------------


def test_letter_keeps_its_to_and_cc_lists_nested() -> None:
    doc = load("north-vale-letter-winter-access.txt")
    assert_clean(doc.text)
    assert (
        "To:\n\n"
        "• Integrated care boards in the North Vale region:\n"
        "  • chief executives\n"
        "  • primary care directors\n"
        "• General practice:\n"
        "  • GP partners and practice managers\n"
    ) in doc.text
    assert (
        "cc:\n\n• North Vale Health and Wellbeing Board members\n• Directors of public health:\n  • Northfield City Council"
        in doc.text
    )
    # The subject line is a heading, the date line is not.
    passages = segment(doc)
    assert any(p.section.startswith("Winter access arrangements") for p in passages)
    assert all(p.section != "15 October 2024" for p in passages)


def test_a_long_nested_list_keeps_its_lead_in_and_parents_in_every_passage() -> None:
    items = "\n".join(
        f"• Integrated care board {i} in the region:\n"
        f"  • the chief executive of board {i}\n"
        f"  • the chair of board {i} and the members of its primary care committee"
        for i in range(12)
    )
    text = f"Winter letter\n\nTo:\n\n{items}\n\nYours sincerely."
    doc = Document("letter", "letter.txt", text, "0" * 64, "Winter access letter")
    passages = segment(doc)
    inside = [p for p in passages if p.text.startswith("• Integrated care board")]
    assert len(inside) >= 2, "the list is long enough to need several passages"
    for passage in inside:
        # Retrieval sees the lead-in; the cited text is exactly the document's own span.
        assert passage.context.splitlines() == ["Winter access letter", "Winter letter", "To:"]
        assert passage.text == text[passage.start : passage.end]
        assert passage.embedding_text == f"{passage.context}\n{passage.text}"
    # A sub-item never starts a passage: it stays with the item that introduces it.
    assert not any(starts_indented(text, p) for p in passages)


def test_sub_items_that_start_a_passage_carry_their_parent_item() -> None:
    subs = "\n".join(
        f"  • practice {i} in the Riverside network, with its list size" for i in range(40)
    )
    text = f"Practices\n\nThe Board listed:\n\n• Riverside Primary Care Network:\n{subs}"
    passages = segment(Document("d", "d.txt", text, "0" * 64, "Practices list"))
    later = [p for p in passages if starts_indented(text, p)]
    assert later, "a sub-list longer than a passage is split"
    assert all(
        p.context.endswith("The Board listed:\n• Riverside Primary Care Network:") for p in later
    )


# --- HTML ---------------------------------------------------------------------------


def test_council_page_drops_cookie_banners_navigation_and_footer() -> None:
    doc = load("northfield-pharmacy-access.html")
    text = doc.text
    assert_clean(text)
    for chrome in (
        "cookies",
        "cookie policy",
        "Skip to",
        "Bins and recycling",
        "Your council",
        "Search this site",
        "Share this page",
        "Related pages",
        "Privacy notice",
        "©",
        "dataLayer",
        "font-family",
    ):
        assert chrome not in text, chrome
    assert doc.title == "Community pharmacy access: what is changing"
    assert doc.publisher == "Northfield City Council" and doc.issued == "2024-09-02"
    assert text.startswith("Community pharmacy access: what is changing\n\nEleven community")
    assert (
        "• a map of remaining pharmacies and their opening hours, with\n"
        "  • bus routes from each ward to the nearest open pharmacy;\n"
        "  • late-evening and Sunday opening highlighted;\n"
        "• talks with GP practices"
    ) in text
    assert (
        "Branch | Ward | Closed | Nearest alternative\nHigh Street Chemist | Longbridge East"
        in text
    )


def test_html_lists_nested_deeper_than_the_indent_cap_stay_readable(tmp_path: Path) -> None:
    page = "<ul>" + "".join(f"<li>level {i}<ul>" for i in range(12)) + "</ul></li>" * 12 + "</ul>"
    (tmp_path / "deep.html").write_text(f"<html><body><main>{page}</main></body></html>")
    text = load_document(tmp_path / "deep.html", tmp_path, {}).text
    lines = text.split("\n")
    assert [line.strip() for line in lines] == [f"• level {i}" for i in range(12)]
    assert lines[3] == "      • level 3" and max(len(x) - len(x.lstrip()) for x in lines) == 16


# --- PDF ----------------------------------------------------------------------------


def test_pdf_loses_its_page_furniture_and_contents_page_but_keeps_its_pages() -> None:
    doc = load("north-vale-access-strategy.pdf")
    text = doc.text
    assert_clean(text)
    for furniture in (
        "Page 1 of 4",
        "Page 3",
        "Official: for publication",
        "North Vale ICB - Primary",
    ):
        assert furniture not in text, furniture
    assert "Contents" not in text and "Executive Summary Page" not in text  # the run-on contents
    assert text.startswith(
        "Primary Care Access Strategy 2024-2027\n\n"
        "Dr Helen Marsh, Chief Medical Officer, North Vale Integrated Care Board\n\nExecutive Summary"
    )
    # A sentence that runs over a page break is one sentence, and its page is known.
    sentence = next(s for s in sentences(doc) if s.startswith("That programme heard"))
    assert sentence.endswith("in each locality across the area.")
    assert doc.page_at(text.index("That programme heard")) == 2
    assert doc.page_at(text.index("for joined-up working")) == 3
    assert len(doc.page_starts) == 4 and doc.page_at(text.index("Governance and reporting")) == 4
    # Headings after a finished paragraph stand alone; sub-items keep their level.
    assert "across the area.\n\nOur priorities\n\nThe Board agreed three priorities:" in text
    assert (
        "1. Better access to general practice, including:\n"
        "  • cloud-based telephony in every practice by March 2025;\n"
        "  • two extended-access clinics in every PCN by October 2025;\n"
        "2. More care from community pharmacy, including:"
    ) in text
    assert not any(len(s) > 400 for s in sentences(doc))
    passages = segment(doc)
    assert passage_with(passages, "oversees delivery").section == "Governance and reporting"


def test_a_contents_page_with_dot_leaders_is_dropped(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "toc.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    entries = [
        "Contents",
        "1. Introduction ........ 2",
        "2. Finance .............. 2",
        "3. Risks ................. 3",
    ]
    for i, line in enumerate(entries):
        c.drawString(72, 760 - 16 * i, line)
    c.showPage()
    c.drawString(72, 760, "1. Introduction")
    c.drawString(72, 740, "The Board approved the budget of £4.1m for 2024/25.")
    c.save()
    doc = load_document(path, tmp_path, {})
    assert doc.text == "1. Introduction\n\nThe Board approved the budget of £4.1m for 2024/25."
    assert doc.page_starts == (0, 0)


# --- DOCX ---------------------------------------------------------------------------


def test_docx_minutes_keep_nested_lists_and_the_action_table_but_not_the_contents() -> None:
    doc = load("programme-board-minutes.docx")
    text = doc.text
    assert_clean(text)
    assert "Contents" not in text and "\t" not in text and "Telephony 2" not in text
    assert (
        "• Telephony:\n"
        "  • 38 of 46 practices now use cloud-based telephony;\n"
        "  • the remaining eight will move by March 2025.\n"
        "• Online consultation:\n"
        "  • requests rose by 22% in the quarter;"
    ) in text
    assert "Ref | Action | Owner | Due | Status\nPB/24/07 | Share the telephony" in text
    passages = segment(doc)
    assert passage_with(passages, "PB/24/09").section == "3. Action log"


def _docx(path: Path, build) -> Path:  # type: ignore[no-untyped-def]
    document = docx.Document()
    build(document)
    document.save(str(path))
    return path


def test_docx_tables_inside_tables_and_merged_cells_lose_no_text(tmp_path: Path) -> None:
    def build(document) -> None:  # type: ignore[no-untyped-def]
        outer = document.add_table(rows=2, cols=2)
        outer.cell(0, 0).text, outer.cell(0, 1).text = "Item", "Detail"
        outer.cell(1, 0).text = "Budget"
        inner = outer.cell(1, 1).add_table(rows=1, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = "2024/25", "£1.2m recurrent"
        merged = document.add_table(rows=3, cols=2)
        merged.cell(0, 0).merge(merged.cell(2, 0)).text = "Owner"
        for row, value in enumerate(("May", "June", "July")):
            merged.cell(row, 1).text = value

    doc = load_document(_docx(tmp_path / "t.docx", build), tmp_path, {})
    assert "Item | Detail\nBudget | 2024/25 £1.2m recurrent" in doc.text
    assert "Owner | May\nJune\nJuly" in doc.text  # the merged cell is written once


def test_docx_table_laid_out_as_minutes_is_read_as_text(tmp_path: Path) -> None:
    discussion = (
        "The Director of Primary Care presented the access recovery plan and took members "
        "through the figures for each locality, including the number of practices that have "
        "moved to cloud-based telephony and those still waiting for the new contract, and "
        "the effect that the change has had on call waiting times at 8 am on Mondays. "
    ) * 2

    def build(document) -> None:  # type: ignore[no-untyped-def]
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "4."
        cell = table.cell(0, 1)
        cell.text = "Access recovery plan"
        cell.add_paragraph(discussion.strip())
        cell.add_paragraph("The Board noted the report.")

    text = load_document(_docx(tmp_path / "m.docx", build), tmp_path, {}).text
    assert text == f"4. Access recovery plan\n\n{discussion.strip()}\n\nThe Board noted the report."


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_MC = (
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _body_xml(document, xml: str) -> None:  # type: ignore[no-untyped-def]
    """Insert raw WordprocessingML before the section properties, as Word writes it."""
    from docx.oxml import parse_xml

    body = document.element.body
    body.insert(len(body) - 1, parse_xml(xml))


def test_docx_reads_content_controls_tracked_changes_fields_and_text_boxes(tmp_path: Path) -> None:
    """What Word writes around text: a contents control (dropped), a content control
    holding body text, a tracked change (the insertion read, the deletion not), a field
    (its result read, its code not) and a text box (stored twice, read once)."""

    def build(document) -> None:  # type: ignore[no-untyped-def]
        gallery = '<w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj>'
        _body_xml(
            document,
            f"<w:sdt {_W}><w:sdtPr>{gallery}</w:sdtPr><w:sdtContent>"
            "<w:p><w:r><w:t>Contents</w:t></w:r></w:p>"
            "<w:p><w:r><w:t>1. Welcome and apologies 1</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>",
        )
        document.add_heading("1. Welcome and apologies", level=1)
        _body_xml(
            document,
            f"<w:sdt {_W}><w:sdtPr/><w:sdtContent><w:p><w:r>"
            "<w:t>Apologies were received from Mr Luke Fenwick.</w:t>"
            "</w:r></w:p></w:sdtContent></w:sdt>",
        )
        _body_xml(
            document,
            f'<w:p {_W}><w:r><w:t xml:space="preserve">The Board </w:t></w:r>'
            "<w:del><w:r><w:delText>deferred</w:delText></w:r></w:del>"
            '<w:ins><w:r><w:t>approved</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> '
            'the plan (page </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> PAGEREF _Toc1 \\h </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>4</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>).</w:t></w:r></w:p>',
        )
        box = (
            "<w:txbxContent><w:p><w:r><w:t>Key decision: the hub opens in October 2024."
            "</w:t></w:r></w:p></w:txbxContent>"
        )
        _body_xml(
            document,
            f"<w:p {_W} {_MC}><w:r><w:t>The timetable is below.</w:t></w:r><w:r>"
            f'<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}'
            f"</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>{box}"
            "</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
        )

    text = load_document(_docx(tmp_path / "w.docx", build), tmp_path, {}).text
    assert text == (
        "1. Welcome and apologies\n\n"
        "Apologies were received from Mr Luke Fenwick.\n\n"
        "The Board approved the plan (page 4).\n\n"
        "The timetable is below.\n\n"
        "Key decision: the hub opens in October 2024."
    )


def test_docx_multilevel_numbering_and_house_heading_styles(tmp_path: Path) -> None:
    """One multi-level list (1. / a) / (i)) as Word numbers it, and headings in a house
    style based on "Heading 2" or marked only by an outline level."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml

    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{pattern}"/></w:lvl>'
        for i, (fmt, pattern) in enumerate(
            (("decimal", "%1."), ("lowerLetter", "%2)"), ("lowerRoman", "(%3)"))
        )
    )

    def item(document, text: str, level: int) -> None:  # type: ignore[no-untyped-def]
        paragraph = document.add_paragraph(text, style="List Paragraph")
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {_W}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
        )

    def build(document) -> None:  # type: ignore[no-untyped-def]
        numbering = document.part.numbering_part.element
        numbering.insert(
            0, parse_xml(f'<w:abstractNum {_W} w:abstractNumId="90">{levels}</w:abstractNum>')
        )
        numbering.append(
            parse_xml(f'<w:num {_W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
        )
        style = document.styles.add_style("Minute Heading", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Heading 2"]
        document.add_paragraph("5. Recommendations", style="Minute Heading")
        document.add_paragraph("The Committee recommends that:")
        item(document, "the ICB publishes access data monthly:", 0)
        item(document, "by practice;", 1)
        item(document, "by Primary Care Network, including:", 1)
        item(document, "telephone waiting times;", 2)
        item(document, "online requests;", 2)
        item(document, "the Council reviews transport to the new hubs.", 0)
        _body_xml(
            document,
            f'<w:p {_W}><w:pPr><w:outlineLvl w:val="1"/></w:pPr>'
            "<w:r><w:t>6. Date of next meeting</w:t></w:r></w:p>",
        )
        document.add_paragraph("Tuesday 14 May 2024.")

    doc = load_document(_docx(tmp_path / "r.docx", build), tmp_path, {})
    assert doc.title == "5. Recommendations"
    assert (
        "The Committee recommends that:\n\n"
        "1. the ICB publishes access data monthly:\n"
        "  a) by practice;\n"
        "  b) by Primary Care Network, including:\n"
        "    (i) telephone waiting times;\n"
        "    (ii) online requests;\n"
        "2. the Council reviews transport to the new hubs."
    ) in doc.text
    passages = segment(doc)
    assert passage_with(passages, "Tuesday 14 May").section == "6. Date of next meeting"
    online = passage_with(passages, "online requests")
    assert "by Primary Care Network, including:" in online.embedding_text


# --- passages: retrieval context apart from the cited text --------------------------


def test_title_and_heading_are_in_the_retrieval_text_never_in_the_cited_text() -> None:
    doc = load("northfield-scrutiny-minutes-wrapped.txt")
    passage = passage_with(segment(doc), "Members raised the following points")
    assert passage.section == "Item 6: Community pharmacy closures"
    assert passage.embedding_text.startswith(
        "Minutes of the meeting of the Northfield Adult Social Care and Health Scrutiny Panel\n"
        "Item 6: Community pharmacy closures\n"
    )
    assert passage.text == doc.text[passage.start : passage.end]
    assert "Northfield Adult Social Care" not in passage.text


def test_stored_passages_keep_their_context(tmp_path: Path) -> None:
    from kg.textstore import TextStore

    doc = load("north-vale-letter-winter-access.txt")
    passages = segment(doc)
    store = TextStore(tmp_path)
    store.put(doc, passages, triples=0)
    stored = store.load(doc.doc_id, doc.sha256)
    assert not isinstance(stored, str) and stored is not None
    assert stored.passages(doc.doc_id) == passages
    assert re.search(r"\bWinter access\b", passages[-1].embedding_text)
