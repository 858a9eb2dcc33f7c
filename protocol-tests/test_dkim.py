"""DKIM signing against the real daemon: `postamt domain dkim-keygen` prints the two records,
and a message submitted on 587 afterwards (no restart) reaches a fake remote MX and the local
recipient with an ed25519 and an RSA signature, as does an out-of-office reply. The
signatures are verified here against the printed records with the standard library only: relaxed canonicalization (RFC 6376 §3.4),
RSASSA-PKCS1-v1_5 by modular exponentiation, and Ed25519 by RFC 8032 §6's reference code."""

import base64
import hashlib
import re
import smtplib

import pytest

from conftest import Instance
from smtp_support import (
    ALICE,
    ALICE_PASSWORD,
    BOB,
    BOB_PASSWORD,
    REMOTE_DOMAIN,
    add_accounts,
    delivered,
    message,
)

DOMAIN = "example.test"


@pytest.fixture
def mail_server(tmp_path, mx):
    inst = Instance(
        tmp_path,
        extra_config=f'[outbound]\nroutes = {{ "{REMOTE_DOMAIN}" = "127.0.0.1:{mx.port}" }}\n',
    )
    add_accounts(inst)
    inst.start()
    yield inst
    inst.stop()


def records(output):
    """{selector: record text} from the zone lines `<s>._domainkey.<d>. IN TXT "a" "b"`."""
    found = {}
    for line in output.splitlines():
        if line.startswith(";") or not line.strip():
            continue
        name, strings = line.split(" IN TXT ")
        assert name.endswith(f"._domainkey.{DOMAIN}."), line
        parts = re.findall(r'"([^"]*)"', strings)
        assert all(len(part) <= 255 for part in parts), line
        found[name.split("._domainkey.")[0]] = "".join(parts)
    return found


def tags(text):
    """DKIM tag=value pairs (RFC 6376 §3.2), white space removed from the values."""
    result = {}
    for item in text.split(";"):
        if "=" in item:
            key, value = item.split("=", 1)
            result[key.strip()] = re.sub(r"\s+", "", value)
    return result


def split_message(raw):
    head, body = raw.split(b"\r\n\r\n", 1) if b"\r\n\r\n" in raw else (raw, b"")
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return [(f.split(b":", 1)[0], f.split(b":", 1)[1]) for f in fields if b":" in f], body


def relaxed_header(name, value):
    value = re.sub(rb"\r\n", b"", value)
    value = re.sub(rb"[ \t]+", b" ", value).strip(b" ")
    return name.strip().lower() + b":" + value


def relaxed_body(body):
    lines = [re.sub(rb"[ \t]+$", b"", re.sub(rb"[ \t]+", b" ", line)) for line in body.split(b"\r\n")]
    while lines and lines[-1] == b"":
        lines.pop()
    return b"".join(line + b"\r\n" for line in lines)


def signed_data(fields, signature_field, signed_names):
    """The canonical header fields named in h= (each from the bottom up, RFC 6376 §5.4.2) and
    the signature field with an empty b=, without its final CRLF."""
    used = set()
    out = b""
    for name in signed_names:
        for index in range(len(fields) - 1, -1, -1):
            if index not in used and fields[index][0].strip().lower() == name.lower().encode():
                used.add(index)
                out += relaxed_header(*fields[index]) + b"\r\n"
                break
    name, value = signature_field
    emptied = re.sub(rb"(^|;)(\s*b\s*=)[^;]*", rb"\1\2", value)
    return out + relaxed_header(name, emptied)


def der_items(data):
    """The (tag, content) items of a DER sequence's content."""
    items = []
    while data:
        tag, length = data[0], data[1]
        offset = 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[2 : 2 + count], "big")
            offset += count
        items.append((tag, data[offset : offset + length]))
        data = data[offset + length :]
    return items


def rsa_verify(spki, data, signature):
    [(_, spki_content)] = der_items(spki)
    _, bit_string = der_items(spki_content)[1]
    [(_, key)] = der_items(bit_string[1:])
    n, e = (int.from_bytes(value, "big") for _, value in der_items(key))
    size = (n.bit_length() + 7) // 8
    encoded = pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big")
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420")
    digest = digest_info + hashlib.sha256(data).digest()
    expected = b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest
    return encoded == expected


# Ed25519 verification, RFC 8032 §6.
P = 2**255 - 19
D = -121665 * pow(121666, P - 2, P) % P
Q = 2**252 + 27742317777372353535851937790883648493
SQRT_M1 = pow(2, (P - 1) // 4, P)


def point_add(a, b):
    x = (a[1] - a[0]) * (b[1] - b[0]) % P
    y = (a[1] + a[0]) * (b[1] + b[0]) % P
    c = 2 * a[3] * b[3] * D % P
    d = 2 * a[2] * b[2] % P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f, g * h, f * g, e * h)


def point_mul(s, point):
    result = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = point_add(result, point)
        point = point_add(point, point)
        s >>= 1
    return result


def point_equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def point_decompress(s):
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


G_Y = 4 * pow(5, P - 2, P) % P
G = (recover_x(G_Y, 0), G_Y, 1, recover_x(G_Y, 0) * G_Y % P)


def ed25519_verify(public, message_bytes, signature):
    a = point_decompress(public)
    r = point_decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message_bytes).digest(), "little") % Q
    return point_equal(point_mul(s, G), point_add(r, point_mul(h, a)))


def verify(raw, keys):
    """{selector: (algorithm, verified)} for every DKIM-Signature field of `raw`."""
    fields, body = split_message(raw)
    results = {}
    for field in fields:
        if field[0].strip().lower() != b"dkim-signature":
            continue
        sig = tags(field[1].decode())
        assert sig["d"] == DOMAIN and sig["c"] == "relaxed/relaxed", sig
        record = tags(keys[sig["s"]])
        public = base64.b64decode(record["p"])
        body_ok = base64.b64decode(sig["bh"]) == hashlib.sha256(relaxed_body(body)).digest()
        data = signed_data(fields, field, sig["h"].split(":"))
        signature = base64.b64decode(sig["b"])
        if sig["a"] == "rsa-sha256":
            ok = rsa_verify(public, data, signature)
        else:
            assert sig["a"] == "ed25519-sha256", sig
            # RFC 8463 §3: Ed25519 signs the SHA-256 hash of the data.
            ok = ed25519_verify(public, hashlib.sha256(data).digest(), signature)
        results[sig["s"]] = (sig["a"], body_ok and ok)
    return results


def submit(server, recipients, subject):
    client = smtplib.SMTP("127.0.0.1", server.ports["submission"], timeout=10)
    client.starttls(context=server.tls_context())
    client.login(ALICE, ALICE_PASSWORD)
    client.sendmail(ALICE, recipients, message(subject, to=", ".join(recipients)))
    client.quit()


def test_keygen_prints_an_ed25519_and_an_rsa_record(instance):
    instance.cli("domain", "add", DOMAIN)
    result = instance.cli("domain", "dkim-keygen", DOMAIN)
    keys = records(result.stdout)
    assert set(keys) == {"postamt-ed25519", "postamt-rsa"}
    assert keys["postamt-ed25519"].startswith("v=DKIM1; k=ed25519; p=")
    assert keys["postamt-rsa"].startswith("v=DKIM1; k=rsa; p=")
    assert records(instance.cli("domain", "dkim-show", DOMAIN).stdout) == keys
    again = instance.cli("domain", "dkim-keygen", DOMAIN, check=False)
    assert again.returncode == 65 and "--force" in again.stderr
    other = instance.cli("domain", "dkim-keygen", "elsewhere.example", check=False)
    assert other.returncode == 67


def test_submitted_mail_is_signed_with_both_keys_for_every_copy(mail_server, mx):
    # Created while the daemon runs: the signer must pick the keys up without a restart.
    keys = records(mail_server.cli("domain", "dkim-keygen", DOMAIN, "--selector", "s2026").stdout)
    submit(mail_server, [f"carol@{REMOTE_DOMAIN}", BOB], "signed one")
    [(_, _, remote)] = mx.wait_for(1)
    [local] = delivered(mail_server, BOB, BOB_PASSWORD, "signed one")
    for copy in (remote, local):
        results = verify(copy, keys)
        assert results == {
            "s2026-ed25519": ("ed25519-sha256", True),
            "s2026-rsa": ("rsa-sha256", True),
        }, results
    tampered = remote.replace(b"Hello.", b"Hullo.")
    assert all(not ok for _, ok in verify(tampered, keys).values())


def test_mail_before_any_key_goes_out_unsigned(mail_server, mx):
    submit(mail_server, [f"carol@{REMOTE_DOMAIN}"], "unsigned one")
    [(_, _, remote)] = mx.wait_for(1)
    assert b"DKIM-Signature" not in remote


def test_an_out_of_office_reply_is_signed_for_the_users_domain(mail_server, mx):
    keys = records(mail_server.cli("domain", "dkim-keygen", DOMAIN).stdout)
    mail_server.cli(
        "vacation", "set", BOB, "--start", "2026-01-01", "--end", "2099-12-31",
        "--subject", "Away", "--text", "Back soon.",
    )
    sender = f"carol@{REMOTE_DOMAIN}"
    client = smtplib.SMTP("127.0.0.1", mail_server.ports["smtp"], timeout=10)
    client.sendmail(sender, [BOB], message("are you there", sender=sender, to=BOB))
    client.quit()
    [(mail_from, recipients, reply)] = mx.wait_for(1)
    assert (mail_from, recipients) == ("", [sender])
    assert b"Auto-Submitted: auto-replied" in reply
    assert verify(reply, keys) == {
        "postamt-ed25519": ("ed25519-sha256", True),
        "postamt-rsa": ("rsa-sha256", True),
    }
