"""The invitation link staff make on a company's page comes with a copy
button and a QR code a salesperson can show: the PNG is decoded here with
zbarimg (zbar-tools) and must give back exactly the link; the SVG for
print draws the same code."""

import base64
import re
import struct
import subprocess
import zlib

from test_admin_customers import (invite, make_company, owner,  # noqa: F401
                                  post, seed)

A = "/s/shop-a"


def data_uri(html, prefix):
    m = re.search(r'"data:' + re.escape(prefix) + r';base64,([A-Za-z0-9+/=]+)"',
                  html)
    assert m, prefix
    return base64.b64decode(m.group(1))


def png_to_pgm(png):
    """An 8-bit grey PNG as a PGM, each chunk's CRC checked: zbarimg reads
    PGM without any ImageMagick delegate."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", None
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + body) & 0xffffffff, kind
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 0)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    assert len(raw) == h * (w + 1)
    rows = [raw[i * (w + 1):(i + 1) * (w + 1)] for i in range(h)]
    assert all(r[0] == 0 for r in rows)            # filter: none
    return b"P5 %d %d 255\n" % (w, h) + b"".join(r[1:] for r in rows)


def test_invite_qr_decodes_to_the_link(stack, seed, tmp_path):
    s = owner(stack)
    cid = make_company(stack, s, name="AC测试二维码公司")
    headers = {"Origin": stack.url("/").rstrip("/")}
    r = post(stack, s, f"{A}/admin/customers/{cid}/invites",
             {"role": "buyer"}, headers=headers)
    assert r.status_code == 200
    link = re.search(r'class="copy" readonly value="([^"]+)"', r.text).group(1)
    assert 'data-copy="invite-link"' in r.text and 'id="invite-link"' in r.text
    assert re.search(r'<script src="/static/default/copy.js" defer>', r.text)
    png = data_uri(r.text, "image/png")
    f = tmp_path / "invite.pgm"
    f.write_bytes(png_to_pgm(png))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(f)],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == link
    svg = data_uri(r.text, "image/svg+xml").decode()
    assert svg.startswith("<svg ") and svg.count("M") > 100
    assert 'download="邀请二维码.svg"' in r.text
    # The token is not in the page anywhere but the link and its codes,
    # and the company page shown later has neither.
    later = s.get(stack.url(f"{A}/admin/customers/{cid}")).text
    assert "data:image/png" not in later and link not in later


def test_copy_script_is_served(stack):
    r = stack.session().get(stack.url("/static/default/copy.js"))
    assert r.status_code == 200 and "data-copy" in r.text
