"""Hostile uploads for tests: PDFs with active content built with pypdf, and a browser's raw upload.

`ACTIVE` holds PDFs that do something by themselves or carry another file (each must be refused);
`HARMLESS` what word processors write and must still be accepted. Both map a description to a
function that builds the file, so that a failing case names itself.
"""

from __future__ import annotations

import io
import re
import socket
from collections.abc import Callable

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

Change = Callable[[PdfWriter, DictionaryObject], None]


def build(change: Change | None = None, *, pages: int = 1) -> bytes:
    """A PDF of blank A4 pages, changed by `change(writer, first_page)` before it is written."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if change is not None:
        change(writer, writer.pages[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_dict(**entries: PdfObject) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{key}"): value for key, value in entries.items()})


def name(value: str) -> NameObject:
    return NameObject(f"/{value}")


def javascript_action() -> DictionaryObject:
    return pdf_dict(S=name("JavaScript"), JS=TextStringObject("app.alert('ciao')"))


def go_to_first_page(**more: PdfObject) -> DictionaryObject:
    return pdf_dict(S=name("GoTo"), D=ArrayObject([NumberObject(0), name("Fit")]), **more)


def set_in_catalog(key: str, value: PdfObject) -> Change:
    def change(writer: PdfWriter, page: DictionaryObject) -> None:
        writer.root_object[NameObject(f"/{key}")] = writer._add_object(value)

    return change


def set_on_page(key: str, value: PdfObject) -> Change:
    def change(writer: PdfWriter, page: DictionaryObject) -> None:
        page[NameObject(f"/{key}")] = value

    return change


def annotate(annotation: DictionaryObject) -> Change:
    def change(writer: PdfWriter, page: DictionaryObject) -> None:
        annotation.update({name("Type"): name("Annot"), name("Rect"): ArrayObject([NumberObject(0)] * 4)})
        page[name("Annots")] = ArrayObject([writer._add_object(annotation)])

    return change


def link(action: DictionaryObject) -> Change:
    return annotate(pdf_dict(Subtype=name("Link"), A=action))


def embedded_stream(content: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(content)
    stream[name("Type")] = name("EmbeddedFile")
    return stream


def with_fixed_xref(raw: bytes) -> bytes:
    """A PDF as pypdf writes it (plain objects, one xref table) with its cross-reference table
    written again, after an edit moved its objects."""
    body = raw[: raw.rindex(b"\nxref\n") + 1]
    offsets = {int(m.group(1)): m.start() for m in re.finditer(rb"(?m)^(\d+) 0 obj", body)}
    size = max(offsets) + 1
    rows = [b"0000000000 65535 f \n", *(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))]
    trailer = raw[raw.index(b"trailer", len(body)) : raw.rindex(b"startxref")]
    return body + b"xref\n0 %d\n" % size + b"".join(rows) + trailer + b"startxref\n%d\n%%%%EOF\n" % len(body)


def javascript_under_a_hidden_name() -> bytes:
    """/JavaScript and /JS spelt with #-escapes (/J#61vaScript, /J#53): a byte search finds
    neither, a PDF reader reads both."""
    raw = build(set_in_catalog("OpenAction", javascript_action()))
    raw = raw.replace(b"/S /JavaScript", b"/S /J#61vaScript").replace(b"/JS (", b"/J#53 (")
    assert b"/JavaScript" not in raw and b"/JS " not in raw
    return with_fixed_xref(raw)


def encrypted(user_password: str) -> bytes:
    """Encrypted with that password to open it ("" opens without asking, but is encrypted all the same)."""
    return build(lambda writer, page: writer.encrypt(user_password, "proprietario"))


def _file_attachment() -> DictionaryObject:
    spec = pdf_dict(Type=name("Filespec"), F=TextStringObject("x.exe"), EF=pdf_dict(F=embedded_stream(b"MZ")))
    return pdf_dict(Subtype=name("FileAttachment"), FS=spec)


ACTIVE: dict[str, Callable[[], bytes]] = {
    "document JavaScript (/Names /JavaScript, /JS)": lambda: build(
        lambda writer, page: writer.add_open_action(JavaScript("app.alert('ciao')"))
    ),
    "JavaScript run on opening (/OpenAction)": lambda: build(set_in_catalog("OpenAction", javascript_action())),
    "a page's additional actions (/AA)": lambda: build(set_on_page("AA", pdf_dict(O=javascript_action()))),
    "a launch action on opening": lambda: build(
        set_in_catalog("OpenAction", pdf_dict(S=name("Launch"), F=TextStringObject("C:\\Windows\\calc.exe")))
    ),
    "a link that launches a program": lambda: build(link(pdf_dict(S=name("Launch"), F=TextStringObject("cmd.exe")))),
    "a link that runs JavaScript": lambda: build(link(javascript_action())),
    "an opening GoTo followed by JavaScript (/Next)": lambda: build(
        set_in_catalog("OpenAction", go_to_first_page(Next=javascript_action()))
    ),
    "an embedded file (/EmbeddedFiles)": lambda: build(
        lambda writer, page: writer.add_attachment("fattura.exe", b"MZ\x90\x00")
    ),
    "a file attachment annotation (/EmbeddedFile)": lambda: build(annotate(_file_attachment())),
    "rich media (/RichMedia)": lambda: build(annotate(pdf_dict(Subtype=name("RichMedia")))),
    "an XFA form (/XFA)": lambda: build(
        set_in_catalog("AcroForm", pdf_dict(Fields=ArrayObject(), XFA=TextStringObject("<xdp:xdp/>")))
    ),
    "JavaScript under a #-escaped name": javascript_under_a_hidden_name,
}

HARMLESS: dict[str, Callable[[], bytes]] = {
    "opening at a page (a destination, as LibreOffice writes)": lambda: build(
        lambda writer, page: writer.root_object.__setitem__(
            name("OpenAction"), ArrayObject([page.indirect_reference, name("Fit")])
        )
    ),
    "opening at a page (a GoTo action)": lambda: build(set_in_catalog("OpenAction", go_to_first_page())),
    "a link to a web page": lambda: build(link(pdf_dict(S=name("URI"), URI=TextStringObject("https://example.org")))),
}


# --- a browser's upload, over a socket --------------------------------------------------


def upload_over_http(port: int, path: str, field: str, size: int, cookie: str = "") -> bytes:
    """What a browser does: send the whole multipart body (one file of `size` bytes), then read
    the answer. Raises `ConnectionError` (reset, broken pipe) if the server closes on it first."""
    boundary = "----portal-upload-test"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="scansione.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body = head + b"0" * size + f"\r\n--{boundary}--\r\n".encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer
