"""Tests of the loopback token endpoint and metadata server (auth_server.py).

    /usr/bin/python3 -m unittest discover -s tests/auth_server -v
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from auth_server import JWT_BEARER, METADATA_TOKEN_PATH, AuthServer  # noqa: E402

SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"
EMAIL = "uploader@project.iam.gserviceaccount.com"
CLIENT = {"client_id": "client-1.apps.googleusercontent.com", "client_secret": "client-secret-XYZ123",
          "refresh_token": "1//refresh-token-ABC987"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Keys:
    """An RSA key pair made with the openssl command, in a temporary folder."""

    def __init__(self, folder):
        self.private = os.path.join(folder, "key.pem")
        self.public = os.path.join(folder, "pub.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                        "-out", self.private], check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", self.private, "-pubout", "-out", self.public],
                       check=True, capture_output=True)

    def sign(self, data):
        return subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.private], input=data,
                              check=True, capture_output=True).stdout


def request(url, data=None, headers=None, method=None):
    """(status, headers, body bytes) of one HTTP exchange."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


class AuthServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.keys = Keys(cls.folder.name)
        cls.config = {"public_key": cls.keys.public, "key_id": "kid-1", "client_email": EMAIL, "scope": SCOPE,
                      "clients": [CLIENT], "expires_in": 3599}
        cls.server = AuthServer(cls.config).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.folder.cleanup()

    def setUp(self):
        self.server.state.reset()

    def jwt(self, header=None, **claims):
        now = int(time.time())
        body = {"iss": EMAIL, "scope": SCOPE, "aud": self.server.url + "/token", "iat": now, "exp": now + 3600}
        body.update(claims)
        head = header or {"alg": "RS256", "typ": "JWT", "kid": "kid-1"}
        signing_input = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(body).encode())
        return signing_input + "." + b64url(self.keys.sign(signing_input.encode()))

    def post_token(self, form, content_type="application/x-www-form-urlencoded"):
        status, _, body = request(self.server.url + "/token", urlencode(form).encode(),
                                  {"Content-Type": content_type})
        return status, json.loads(body)

    def control(self, command, order=None):
        status, _, _ = request(self.server.url + "/_control/" + command, json.dumps(order or {}).encode(),
                               {"Content-Type": "application/json"})
        self.assertEqual(status, 200)

    def check(self, token):
        status, _, _ = request(self.server.url + "/check", headers={"Authorization": "Bearer " + token})
        return status

    def test_valid_assertion_gives_a_token_that_check_accepts(self):
        status, reply = self.post_token({"grant_type": JWT_BEARER, "assertion": self.jwt()})
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply["token_type"], "Bearer")
        self.assertEqual(reply["expires_in"], 3599)
        self.assertEqual(self.check(reply["access_token"]), 200)
        self.assertEqual(self.check("ya29.made-up"), 401)

    def test_bad_signature_is_invalid_grant(self):
        token = self.jwt()
        head, claims, signature = token.split(".")
        # Same signature over other claims.
        other = b64url(json.dumps({"iss": EMAIL, "scope": SCOPE, "aud": "x", "iat": 1, "exp": 2}).encode())
        status, reply = self.post_token({"grant_type": JWT_BEARER, "assertion": f"{head}.{other}.{signature}"})
        self.assertEqual((status, reply["error"], reply["error_description"]),
                         (400, "invalid_grant", "Invalid JWT Signature."))

    def test_claims_are_checked(self):
        now = int(time.time())
        cases = {
            "iss": {"iss": "someone@else"},
            "aud": {"aud": "https://oauth2.googleapis.com/token"},
            "lifetime": {"iat": now, "exp": now + 3601},  # one second too long, whenever it runs
            "expired": {"iat": now - 7200, "exp": now - 3600},
            "future iat": {"iat": now + 600, "exp": now + 1200},
        }
        for name, claims in cases.items():
            with self.subTest(name):
                status, reply = self.post_token({"grant_type": JWT_BEARER, "assertion": self.jwt(**claims)})
                self.assertEqual((status, reply["error"]), (400, "invalid_grant"), reply)
        status, reply = self.post_token({"grant_type": JWT_BEARER, "assertion": self.jwt(scope="other")})
        self.assertEqual((status, reply["error"]), (400, "invalid_scope"))

    def test_header_is_checked(self):
        for header in ({"alg": "HS256", "typ": "JWT", "kid": "kid-1"}, {"alg": "RS256", "typ": "JWT", "kid": "x"}):
            with self.subTest(header=header):
                status, reply = self.post_token({"grant_type": JWT_BEARER, "assertion": self.jwt(header)})
                self.assertEqual((status, reply["error"]), (400, "invalid_grant"))

    def test_grant_type_and_content_type_are_checked(self):
        status, reply = self.post_token({"grant_type": "password", "assertion": self.jwt()})
        self.assertEqual((status, reply["error"]), (400, "unsupported_grant_type"))
        status, reply = self.post_token({"grant_type": JWT_BEARER, "assertion": self.jwt()}, "application/json")
        self.assertEqual((status, reply["error"]), (400, "invalid_request"))

    def test_refresh_token_grant(self):
        status, reply = self.post_token(dict(CLIENT, grant_type="refresh_token"))
        self.assertEqual(status, 200, reply)
        self.assertEqual(self.check(reply["access_token"]), 200)
        status, reply = self.post_token(dict(CLIENT, grant_type="refresh_token", refresh_token="1//revoked"))
        self.assertEqual((status, reply["error"]), (400, "invalid_grant"))
        status, reply = self.post_token(dict(CLIENT, grant_type="refresh_token", client_secret="wrong"))
        self.assertEqual((status, reply["error"]), (401, "invalid_client"))

    def test_metadata_server_needs_the_flavor_header(self):
        url = self.server.url + METADATA_TOKEN_PATH
        status, headers, _ = request(url)
        self.assertEqual(status, 403)
        self.assertEqual(headers["Metadata-Flavor"], "Google")
        status, headers, body = request(url + "?scopes=a,b", headers={"Metadata-Flavor": "Google"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["Metadata-Flavor"], "Google")
        self.assertEqual(self.server.state.requests[-1]["scopes"], "a,b")
        self.assertEqual(self.check(json.loads(body)["access_token"]), 200)

    def test_injected_failures_then_recovery(self):
        self.control("fail", {"target": "token", "status": 500, "error": "internal_failure", "count": 1})
        self.control("fail", {"target": "token", "status": 400, "error": "invalid_grant", "count": 1})
        form = dict(CLIENT, grant_type="refresh_token")
        self.assertEqual(self.post_token(form)[0], 500)
        self.assertEqual(self.post_token(form)[0], 400)
        self.assertEqual(self.post_token(form)[0], 200)
        self.control("fail", {"target": "metadata", "status": 503})
        status, _, _ = request(self.server.url + METADATA_TOKEN_PATH, headers={"Metadata-Flavor": "Google"})
        self.assertEqual(status, 503)

    def test_short_lived_tokens_expire_and_revoke_works(self):
        self.control("expires_in", {"expires_in": 1})
        status, reply = self.post_token(dict(CLIENT, grant_type="refresh_token"))
        self.assertEqual((status, reply["expires_in"]), (200, 1))
        first = reply["access_token"]
        self.assertEqual(self.check(first), 200)
        time.sleep(1.1)
        self.assertEqual(self.check(first), 401)
        second = self.post_token(dict(CLIENT, grant_type="refresh_token"))[1]["access_token"]
        self.control("revoke")
        self.assertEqual(self.check(second), 401)

    def test_stats_count_grants(self):
        self.post_token({"grant_type": JWT_BEARER, "assertion": self.jwt()})
        self.post_token(dict(CLIENT, grant_type="refresh_token"))
        self.post_token(dict(CLIENT, grant_type="refresh_token", refresh_token="bad"))
        status, _, body = request(self.server.url + "/_control/stats")
        stats = json.loads(body)
        self.assertEqual((stats["jwt_bearer"], stats["refresh_token"], stats["refused"]), (1, 1, 1))

    def test_log_holds_no_secrets(self):
        assertion = self.jwt()
        issued = [self.post_token({"grant_type": JWT_BEARER, "assertion": assertion})[1]["access_token"],
                  self.post_token(dict(CLIENT, grant_type="refresh_token"))[1]["access_token"]]
        self.post_token(dict(CLIENT, grant_type="refresh_token", client_secret="wrong"))
        self.check(issued[0])
        _, _, body = request(self.server.url + "/_control/requests")
        log = body.decode()
        self.assertIn("refresh_token", log)  # the grant type is logged ...
        for secret in issued + [assertion, CLIENT["client_secret"], CLIENT["refresh_token"], "wrong"]:
            self.assertNotIn(secret, log)  # ... never a secret


class CommandLineTest(unittest.TestCase):
    def test_port_file_log_file_and_sigterm(self):
        with tempfile.TemporaryDirectory() as folder:
            keys = Keys(folder)
            config = os.path.join(folder, "config.json")
            with open(config, "w", encoding="utf-8") as f:
                json.dump({"public_key": keys.public, "clients": [CLIENT]}, f)
            port_file, log = os.path.join(folder, "port"), os.path.join(folder, "log")
            server = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "auth_server.py"),
                                       "--config", config, "--port", "0", "--port-file", port_file, "--log", log],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.time() + 10
                while not os.path.exists(port_file) and time.time() < deadline:
                    time.sleep(0.02)
                with open(port_file, encoding="utf-8") as f:
                    port = int(f.read())
                status, _, body = request(f"http://127.0.0.1:{port}/token",
                                          urlencode(dict(CLIENT, grant_type="refresh_token")).encode(),
                                          {"Content-Type": "application/x-www-form-urlencoded"})
                self.assertEqual(status, 200)
                token = json.loads(body)["access_token"]
            finally:
                server.terminate()
                out, err = server.communicate(timeout=10)
            self.assertEqual(server.returncode, 0)
            self.assertIn(f"listening on http://127.0.0.1:{port}", out)
            with open(log, encoding="utf-8") as f:
                entries = [json.loads(line) for line in f]
            self.assertEqual(entries[0]["grant_type"], "refresh_token")
            for text in (err, json.dumps(entries)):
                self.assertNotIn(token, text)
                self.assertNotIn(CLIENT["refresh_token"], text)


if __name__ == "__main__":
    unittest.main()
