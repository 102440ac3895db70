"""Reads one received email with Python's own parser and checks its DKIM
signature with dkimpy, printing what the tests look at as JSON.

Usage: python3 email_check.py FILE PUBLIC_KEY_RECORD [SELECTOR=RECORD...]
(the first record is the selector `relais`'s).
"""
import json
import sys
from email import policy
from email.parser import BytesParser

import dkim

raw = open(sys.argv[1], "rb").read()
records = {b"relais": sys.argv[2].encode()}
for extra in sys.argv[3:]:
    selector, _, record = extra.partition("=")
    records[selector.encode()] = record.encode()
msg = BytesParser(policy=policy.default).parsebytes(raw)


def dns(name, timeout=5):
    selector, _, rest = name.partition(b"._domainkey.")
    return records.get(selector) if rest else None


signatures = msg.get_all("DKIM-Signature") or []


parts = []
if msg.is_multipart():
    for part in msg.iter_parts():
        parts.append({"type": part.get_content_type(), "text": part.get_content()})
print(json.dumps({
    "content_type": msg.get_content_type(),
    "subject": str(msg["Subject"]),
    "from": str(msg["From"]),
    "to": str(msg["To"]),
    "message_id": str(msg["Message-ID"]),
    "content_language": str(msg["Content-Language"]),
    "list_unsubscribe": str(msg["List-Unsubscribe"]),
    "list_unsubscribe_post": str(msg["List-Unsubscribe-Post"]),
    "dkim_signed": msg["DKIM-Signature"] is not None,
    "dkim_valid": bool(dkim.verify(raw, dnsfunc=dns)),
    "dkim_signatures": len(signatures),
    "dkim_all_valid": all(
        dkim.DKIM(raw).verify(idx=i, dnsfunc=dns) for i in range(len(signatures))
    ),
    "parts": parts,
}))
