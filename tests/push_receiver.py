"""An independent Web Push receiver: plays the browser and the push service.

Speaks line-based JSON on stdin/stdout:
  1. prints a new subscription's keys, as a browser would hand them out:
     {"p256dh": "<base64url>", "auth": "<base64url>"}
  2. then, for each line {"endpoint": ..., "authorization": ..., "body": "<base64url>"},
     checks the VAPID token (RFC 8292) as a push service would, decrypts the body
     (RFC 8291, aes128gcm) and answers {"payload": "<base64url>"} or {"error": "..."}.

With `serve N`, it is a push service on 127.0.0.1 instead: it prints
{"port": ..., "subscriptions": [{"p256dh": ..., "auth": ...}, ...]} for N
subscriptions whose endpoints are http://127.0.0.1:<port>/push/<i> (answered
201) or /gone/<i> (answered 410, as for an expired subscription). Each request
is checked and decrypted the same way and recorded with its RFC 8030 headers;
GET /log answers the records as JSON.

Decryption is http_ece's, signature checks are cryptography's: none of the sender's code.
"""

import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def check_vapid(authorization, endpoint):
    """Verifies `vapid t=<JWT>, k=<key>` the way a push service does."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", f"scheme {scheme!r}"
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = fields["t"], b64d(fields["k"])
    header, claims, signature = token.split(".")
    assert json.loads(b64d(header)) == {"typ": "JWT", "alg": "ES256"}, "JWT header"
    sig = b64d(signature)
    assert len(sig) == 64, "ES256 signature is r || s"
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(b64d(claims))
    url = urlsplit(endpoint)
    assert claims["aud"] == f"{url.scheme}://{url.netloc}", f"aud {claims['aud']!r}"
    now = time.time()
    assert now < claims["exp"] <= now + 24 * 3600, f"exp {claims['exp']}"
    assert claims["sub"].startswith(("mailto:", "https:")), f"sub {claims['sub']!r}"


def new_subscription():
    """A browser's subscription keys: (private key, auth secret, public JSON)."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    auth_secret = os.urandom(16)
    p256dh = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return private_key, auth_secret, {"p256dh": b64e(p256dh), "auth": b64e(auth_secret)}


def serve(count):
    """A push service on 127.0.0.1 for `count` subscriptions."""
    subscriptions = [new_subscription() for _ in range(count)]
    log, lock = [], threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body=b""):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path != "/log":
                return self.answer(404)
            with lock:
                body = json.dumps(log).encode()
            self.answer(200, body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            kind, _, index = self.path.strip("/").partition("/")
            if kind not in ("push", "gone") or not index.isdigit() or int(index) >= count:
                return self.answer(404)
            private_key, auth_secret, _ = subscriptions[int(index)]
            record = {
                "path": self.path,
                "topic": self.headers.get("Topic"),
                "urgency": self.headers.get("Urgency"),
                "ttl": self.headers.get("TTL"),
                "content_encoding": self.headers.get("Content-Encoding"),
                "content_type": self.headers.get("Content-Type"),
            }
            try:
                endpoint = f"http://{self.headers['Host']}{self.path}"
                check_vapid(self.headers.get("Authorization", ""), endpoint)
                assert record["content_encoding"] == "aes128gcm", "Content-Encoding"
                record["payload"] = http_ece.decrypt(
                    body, private_key=private_key, auth_secret=auth_secret, version="aes128gcm"
                ).decode()
                status = 410 if kind == "gone" else 201
            except Exception as e:  # recorded for the test, which fails with the reason
                record["error"] = f"{type(e).__name__}: {e}"
                status = 400
            with lock:
                log.append(record)
            self.answer(status)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    keys = [public for _, _, public in subscriptions]
    print(json.dumps({"port": server.server_address[1], "subscriptions": keys}), flush=True)
    server.serve_forever()


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "serve":
        return serve(int(sys.argv[2]))
    private_key, auth_secret, public = new_subscription()
    print(json.dumps(public), flush=True)
    for line in sys.stdin:
        message = json.loads(line)
        try:
            check_vapid(message["authorization"], message["endpoint"])
            payload = http_ece.decrypt(
                b64d(message["body"]),
                private_key=private_key,
                auth_secret=auth_secret,
                version="aes128gcm",
            )
            reply = {"payload": b64e(payload)}
        except Exception as e:  # reported to the test, which fails with the reason
            reply = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
