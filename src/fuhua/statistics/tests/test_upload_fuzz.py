"""Fuzz of the upload readers with malformed workbooks and CSV files: whatever the bytes, reading ends in
rows or in a FileProblem with a message, never another exception, a crash or a hang."""

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuhua.statistics.exchange.reading import FileProblem, open_table

from .test_upload_guard import SHEET_XML, tiny_xlsx

VALID = tiny_xlsx(rows=(("统一社会信用代码", "企业名称", "成立日期"), ("91320500MA1X2Y3Z4A", "苏州甲", 45352)),
                  formula="D2")
MEMBERS = zipfile.ZipFile(io.BytesIO(VALID)).namelist()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def read_all(data: bytes, name: str) -> None:
    try:
        table = open_table(data, name)
        for _number, row in table.rows:
            assert isinstance(row, list)
    except FileProblem as exc:
        assert str(exc)  # a message for the person who uploaded the file


def rebuild(replace: dict[str, bytes], drop: frozenset = frozenset()) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(VALID))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in drop:
                target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
    return out.getvalue()


@FUZZ
@given(cut=st.integers(min_value=1, max_value=len(VALID) - 1))
def test_truncated_workbooks(cut):
    read_all(VALID[:cut], "cut.xlsx")


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)), min_size=1, max_size=8))
def test_workbooks_with_flipped_bytes(flips):
    data = bytearray(VALID)
    for at, mask in flips:
        data[at] ^= mask
    read_all(bytes(data), "flipped.xlsx")


@FUZZ
@given(body=st.binary(max_size=2000), name=st.sampled_from(["x.xlsx", "x.csv", "x.txt", "x.xls"]),
       magic=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf"]))
def test_random_bytes(body, name, magic):
    read_all(magic + body, name)


XML_PIECES = st.sampled_from([
    "<", ">", "</c>", "<c r=\"A1\">", "<c r=\"XFD1\"><v>1</v></c>", "<row r=\"0\">", "<row r=\"-1\">", "<row>",
    "</row>", "<v>1</v>", "<f>SUM(A1)</f>", "<is><t>x</t></is>", "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", "&a;",
    "<dimension ref=\"A1:ZZZZ9\"/>", "<dimension ref=\"\"/>", "<c r=\"A99999999\"><v>2</v></c>", "\x00", "甲",
    "<sheetData>", "</sheetData>", "<![CDATA[x]]>", "<c t=\"s\"><v>99</v></c>", "<c t=\"b\"><v>x</v></c>",
])


@FUZZ
@given(pieces=st.lists(XML_PIECES, max_size=25), keep_head=st.booleans())
def test_broken_sheet_xml(pieces, keep_head):
    original = zipfile.ZipFile(io.BytesIO(VALID)).read(SHEET_XML).decode()
    head = original[:original.index("<sheetData>")] if keep_head else ""
    read_all(rebuild({SHEET_XML: (head + "".join(pieces)).encode()}), "broken.xlsx")


@FUZZ
@given(member=st.sampled_from(MEMBERS), content=st.one_of(st.binary(max_size=300), XML_PIECES.map(str.encode)),
       drop=st.booleans())
def test_wrong_or_missing_parts(member, content, drop):
    """[Content_Types].xml, workbook.xml, the relationships, shared strings, styles: garbage or missing."""
    data = rebuild({}, frozenset({member})) if drop else rebuild({member: content})
    read_all(data, "parts.xlsx")


@FUZZ
@given(text=st.text(max_size=500), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
def test_csv_in_any_encoding(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    read_all(data, "fuzz.csv")
