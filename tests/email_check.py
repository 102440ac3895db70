"""Reads one received email with Python's own parser and checks its DKIM
signature with dkimpy, printing what the tests look at as JSON.

Usage: python3 email_check.py FILE PUBLIC_KEY_RECORD
"""
import json
import sys
from email import policy
from email.parser import BytesParser

import dkim

raw = open(sys.argv[1], "rb").read()
record = sys.argv[2].encode()
msg = BytesParser(policy=policy.default).parsebytes(raw)


def dns(name, timeout=5):
    return record if name.startswith(b"relais._domainkey.") else None


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
    "parts": parts,
}))
