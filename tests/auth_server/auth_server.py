#!/usr/bin/python3
"""A loopback OAuth token endpoint and GCE metadata server for tests.

Standard library only (run with Debian's /usr/bin/python3). It checks what a
client sends the way Google does, as far as the tests need:

- POST /token, grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer: the
  assertion's RS256 signature against the configured public key (verified
  with pow() on the key's numbers, read once with `openssl`), its header
  (alg RS256, typ JWT, kid) and claims (iss, scope, aud = this endpoint,
  iat near now, exp after now and at most 3600 s after iat).
- POST /token, grant_type=refresh_token: client_id, client_secret and
  refresh_token against the configured clients.
- GET /computeMetadata/v1/instance/service-accounts/default/token: only with
  `Metadata-Flavor: Google`; replies carry that header too.
- GET /check: 200 for a bearer token it issued that has not expired, else
  401 (what a storage server does).
- /_control/...: POST fail {"target": "token"|"metadata", "status": 400,
  "error": "invalid_grant", "count": 1}, POST expires_in {"expires_in": 2},
  POST revoke (every token issued so far stops working), GET stats,
  GET requests (the request log), POST reset.

Tokens last `expires_in` seconds (configurable, e.g. 2, to force refreshes).
The log (stderr, `--log`, /_control/requests) never holds a token, secret or
assertion: only methods, paths, grant types and outcomes.

    /usr/bin/python3 auth_server.py --config CONFIG.json --port 0 --port-file PORT [--log FILE] [--exit-with-parent]

CONFIG.json: {"public_key": "pub.pem", "key_id": "k1", "client_email": "sa@p.iam",
"scope": "https://...", "clients": [{"client_id": ..., "client_secret": ...,
"refresh_token": ...}], "expires_in": 3599}

In-process: `with AuthServer(config) as server: server.url`.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
METADATA_TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token"
# DER prefix of DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
CLOCK_SKEW = 60  # seconds an iat may lie in the future or past


def rsa_public_numbers(public_key_pem_path):
    """(n, e) of an RSA public key in PEM, read with the openssl command."""
    out = subprocess.run(["openssl", "rsa", "-pubin", "-in", public_key_pem_path, "-noout", "-text", "-modulus"],
                         check=True, capture_output=True, text=True).stdout
    n = int(re.search(r"^Modulus=([0-9A-Fa-f]+)$", out, re.MULTILINE).group(1), 16)
    e = int(re.search(r"Exponent: (\d+)", out).group(1))
    return n, e


def verify_rs256(n, e, signing_input, signature):
    """RSASSA-PKCS1-v1_5 verification with SHA-256."""
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    encoded = pow(s, e, n).to_bytes(k, "big")
    t = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(encoded, expected)


def b64url_decode(text):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class OAuthError(Exception):
    def __init__(self, status, error, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


class AuthState:
    """Issued tokens, injected faults, counters and the request log."""

    def __init__(self, config):
        self.lock = threading.Lock()
        self.config = config
        self.public = rsa_public_numbers(config["public_key"]) if config.get("public_key") else None
        self.token_url = None  # set once the port is known: the aud a JWT must carry
        self.echo = False      # the log also on stderr (the command line)
        self.reset()

    def reset(self):
        with self.lock:
            self.expires_in = int(self.config.get("expires_in", 3599))
            self.tokens = {}  # token -> (expiry, how it was granted)
            self.faults = []
            self.stats = {"jwt_bearer": 0, "refresh_token": 0, "metadata": 0, "refused": 0,
                          "checks_ok": 0, "checks_refused": 0}
            self.requests = []

    def log(self, entry):
        with self.lock:
            self.requests.append(entry)
        line = json.dumps(entry, sort_keys=True)
        if self.echo:
            print(line, file=sys.stderr, flush=True)
        if self.config.get("log"):
            with open(self.config["log"], "a", encoding="utf-8") as f:
                f.write(line + "\n")

    def count(self, name):
        with self.lock:
            self.stats[name] += 1

    def take_fault(self, target):
        with self.lock:
            for fault in self.faults:
                if fault.get("target", "token") == target and fault.get("count", 1) > 0:
                    fault["count"] = fault.get("count", 1) - 1
                    return dict(fault)
        return None

    def issue(self, how):
        token = "ya29.test-" + secrets.token_urlsafe(24)
        with self.lock:
            expires_in = self.expires_in
            self.tokens[token] = (time.time() + expires_in, how)
        return {"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}

    def valid(self, token):
        with self.lock:
            entry = self.tokens.get(token)
        return entry is not None and entry[0] > time.time()

    # The two grants. Each returns a token reply or raises OAuthError.

    def jwt_bearer(self, assertion):
        parts = assertion.split(".")
        if len(parts) != 3:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: not three parts.")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: not base64url JSON.") from None
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            raise OAuthError(400, "invalid_grant", "Invalid JWT header: alg must be RS256, typ JWT.")
        if self.config.get("key_id") and header.get("kid") != self.config["key_id"]:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: unknown key id.")
        n, e = self.public
        if not verify_rs256(n, e, (parts[0] + "." + parts[1]).encode("ascii"), signature):
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        if claims.get("iss") != self.config.get("client_email"):
            raise OAuthError(400, "invalid_grant", "Invalid JWT: iss is not the service account.")
        if "scope" in self.config and claims.get("scope") != self.config["scope"]:
            raise OAuthError(400, "invalid_scope", "Invalid JWT: unexpected scope.")
        if claims.get("aud") != self.token_url:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: aud is not this token endpoint.")
        iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
        if not isinstance(iat, int) or not isinstance(exp, int):
            raise OAuthError(400, "invalid_grant", "Invalid JWT: iat and exp must be integers.")
        if abs(iat - now) > CLOCK_SKEW or exp <= now or exp <= iat or exp - iat > 3600:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) "
                                                   "and in a reasonable timeframe. Check your iat and exp values.")
        return self.issue("service_account")

    def refresh_token(self, form):
        client = next((c for c in self.config.get("clients", []) if c["client_id"] == form.get("client_id")), None)
        if client is None or not hmac.compare_digest(client["client_secret"], form.get("client_secret", "")):
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        if not hmac.compare_digest(client["refresh_token"], form.get("refresh_token", "")):
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        return self.issue("authorized_user")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "auth-test-server"

    def log_message(self, format, *args):  # noqa: A002 - the request log replaces http.server's
        pass

    @property
    def state(self):
        return self.server.state

    def reply(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == METADATA_TOKEN_PATH:
            self.metadata()
        elif path == "/check":
            self.check()
        elif path == "/_control/stats":
            with self.state.lock:
                self.reply(200, dict(self.state.stats))
        elif path == "/_control/requests":
            with self.state.lock:
                self.reply(200, list(self.state.requests))
        else:
            self.reply(404, {"error": "not_found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        body = self.read_body()
        if path == "/token":
            self.token(body)
        elif path.startswith("/_control/"):
            self.control(path[len("/_control/"):], body)
        else:
            self.reply(404, {"error": "not_found"})

    def token(self, body):
        entry = {"method": "POST", "path": "/token"}
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        grant = form.get("grant_type", "")
        entry["grant_type"] = grant
        try:
            if not (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
                raise OAuthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
            fault = self.state.take_fault("token")
            if fault:
                raise OAuthError(fault.get("status", 400), fault.get("error", "invalid_grant"),
                                 fault.get("description", "Injected failure."))
            if grant == JWT_BEARER:
                reply = self.state.jwt_bearer(form.get("assertion", ""))
                self.state.count("jwt_bearer")
            elif grant == "refresh_token":
                reply = self.state.refresh_token(form)
                self.state.count("refresh_token")
            else:
                raise OAuthError(400, "unsupported_grant_type", "Invalid grant_type.")
        except OAuthError as error:
            self.state.count("refused")
            entry.update(status=error.status, error=error.error, reason=error.description)
            self.state.log(entry)
            self.reply(error.status, {"error": error.error, "error_description": error.description})
            return
        entry.update(status=200, expires_in=reply["expires_in"])
        self.state.log(entry)
        self.reply(200, reply)

    def metadata(self):
        query = parse_qs(urlsplit(self.path).query)
        entry = {"method": "GET", "path": METADATA_TOKEN_PATH, "scopes": query.get("scopes", [""])[0]}
        flavor = [("Metadata-Flavor", "Google")]
        if self.headers.get("Metadata-Flavor") != "Google":
            entry.update(status=403, reason="no Metadata-Flavor: Google")
            self.state.log(entry)
            self.reply(403, b"Missing Metadata-Flavor:Google header.", "text/plain", flavor)
            return
        fault = self.state.take_fault("metadata")
        if fault:
            entry.update(status=fault.get("status", 500), reason="injected")
            self.state.log(entry)
            self.reply(fault.get("status", 500), b"Injected failure.", "text/plain", flavor)
            return
        reply = self.state.issue("metadata")
        self.state.count("metadata")
        entry.update(status=200, expires_in=reply["expires_in"])
        self.state.log(entry)
        self.reply(200, reply, headers=flavor)

    def check(self):
        authorization = self.headers.get("Authorization") or ""
        ok = authorization.startswith("Bearer ") and self.state.valid(authorization[len("Bearer "):])
        self.state.count("checks_ok" if ok else "checks_refused")
        self.state.log({"method": "GET", "path": "/check", "status": 200 if ok else 401})
        if ok:
            self.reply(200, {"ok": True})
        else:
            self.reply(401, {"error": {"code": 401, "message": "Invalid Credentials"}},
                       headers=[("WWW-Authenticate", 'Bearer realm="test", error="invalid_token"')])

    def control(self, command, body):
        try:
            order = json.loads(body) if body else {}
        except ValueError:
            self.reply(400, {"error": "not JSON"})
            return
        with self.state.lock:
            if command == "fail":
                self.state.faults.append(dict(order))
            elif command == "expires_in":
                self.state.expires_in = int(order["expires_in"])
            elif command == "revoke":
                self.state.tokens.clear()
        if command == "reset":
            self.state.reset()
        elif command not in ("fail", "expires_in", "revoke"):
            self.reply(404, {"error": "unknown control command"})
            return
        self.reply(200, {"ok": True})


class AuthServer:
    """The server on a thread of this process."""

    def __init__(self, config, host="127.0.0.1", port=0):
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = AuthState(config)
        self.port = self.httpd.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self.httpd.state.token_url = self.url + "/token"
        self.thread = None

    @property
    def state(self):
        return self.httpd.state

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--log")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started it ends (a crashed test leaves no server behind)")
    args = parser.parse_args()
    with open(args.config, encoding="utf-8") as f:
        config = json.load(f)
    if args.log:
        config["log"] = args.log
    server = AuthServer(config, args.host, args.port)
    server.state.echo = True
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{server.port}\n")
        os.replace(tmp, args.port_file)
    print(f"listening on {server.url}", flush=True)
    parent = os.getppid()
    while not stop.wait(0.5):
        if args.exit_with_parent and os.getppid() != parent:
            break
    server.stop()


if __name__ == "__main__":
    main()
