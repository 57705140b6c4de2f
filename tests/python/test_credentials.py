"""Credentials as users have them, end to end: a real convert into the GCS
test server, which accepts only live tokens issued by the loopback token
endpoint (short-lived, so they expire during the run). No secret ever shows
in what nc2zarr prints."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from gcs_fixture import BUCKET, download_store, objects_under, start_server
import harness
from harness import MPI_ENV, ROOT, StoreTestCase, make_sample, run

sys.path.insert(0, os.path.join(ROOT, "tests", "auth_server"))
sys.path.insert(0, os.path.join(ROOT, "tests", "gcs_server"))
from auth_server import AuthServer  # noqa: E402
from gcs_errors import GcsError  # noqa: E402

EMAIL = "uploader@project.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/devstorage.read_write"
CLIENT = {"client_id": "client-1.apps.googleusercontent.com", "client_secret": "client-secret-XYZ123",
          "refresh_token": "1//refresh-token-ABC987"}


class Credentials(StoreTestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="nc2zarr-creds-")
        key = os.path.join(cls.shared, "key.pem")
        cls.public = os.path.join(cls.shared, "pub.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", cls.public], check=True, capture_output=True)
        with open(key) as f:
            cls.private_key = f.read()
        make_sample(os.path.join(cls.shared, "in"), files=2, steps=6, lat=40, lon=60)
        cls.inputs = os.path.join(cls.shared, "in", "*.nc")
        cls.local = os.path.join(cls.shared, "local.zarr")
        run(["convert", cls.inputs, "-o", cls.local, "-q", "--chunks", "time=1"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.auth = AuthServer({"public_key": self.public, "key_id": "kid-1", "client_email": EMAIL, "scope": SCOPE,
                                "clients": [CLIENT], "expires_in": 2}).start()
        self.addCleanup(self.auth.stop)
        self.gcs = start_server()
        self.addCleanup(self.gcs.stop)

        def check_auth(header, api):  # the storage server accepts only live issued tokens
            scheme, _, token = (header or "").partition(" ")
            if scheme != "Bearer" or not self.auth.state.valid(token.strip()):
                raise GcsError(401, "authError", "Invalid Credentials", "AuthenticationRequired")
        self.gcs.check_auth = check_auth
        MPI_ENV.pop("STORAGE_EMULATOR_HOST", None)
        self.env_home = self.path("home")
        os.makedirs(self.env_home)

    def secrets(self):
        return [self.private_key.splitlines()[1], CLIENT["client_secret"], CLIENT["refresh_token"],
                *self.auth.state.tokens.keys()]

    def convert(self, extra, ranks=None, check=True, prefix="run.zarr"):
        env_extra = {"HOME": self.env_home}
        MPI_ENV.update(env_extra)
        # Paced to about 10 writes/s, the run outlives the 2 s tokens.
        args = ["convert", self.inputs, "-o", f"gs://{BUCKET}/{prefix}", "--gcs-endpoint", self.gcs.url,
                "--chunks", "time=1", "--initial-request-rate", str(10 * (ranks or 1)), "-v",
                "--journal-dir", self.path("journal-" + prefix)] + extra
        result = run(args, ranks=ranks, check=check)
        self.assertNoSecrets(result.stdout + result.stderr)
        return result

    def assertNoSecrets(self, text):
        for secret in self.secrets():
            self.assertNotIn(secret, text)
        self.assertNotIn("ya29.", text)

    def write_json(self, name, content, mode=0o600):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump(content, f)
        os.chmod(path, mode)
        return path

    def service_account(self, mode=0o600):
        return self.write_json("sa.json", {"type": "service_account", "project_id": "p", "private_key_id": "kid-1",
                                           "private_key": self.private_key, "client_email": EMAIL,
                                           "token_uri": self.auth.url + "/token"}, mode)

    def assertSameAsLocal(self, prefix="run.zarr"):
        copy = download_store(self.gcs, prefix, self.path("copy-" + prefix))
        self.assertSameObjects(self.local, copy)

    def test_service_account_key_refreshes_during_a_two_rank_run(self):
        self.convert(["--credentials", self.service_account()], ranks=2)
        self.assertSameAsLocal()
        stats = self.auth.state.stats
        self.assertGreaterEqual(stats["jwt_bearer"], 3, stats)  # the first token, then refreshes
        self.assertTrue(all(r.get("auth") == "Bearer" for r in self.gcs.requests() if r["op"] != "control"))

    def test_authorized_user_file_from_gcloud_is_found_where_gcloud_leaves_it(self):
        gcloud = os.path.join(self.env_home, ".config", "gcloud")
        os.makedirs(gcloud)
        with open(os.path.join(gcloud, "application_default_credentials.json"), "w") as f:
            json.dump(dict(CLIENT, type="authorized_user", token_uri=self.auth.url + "/token"), f)
        os.chmod(os.path.join(gcloud, "application_default_credentials.json"), 0o600)
        result = self.convert([])
        self.assertIn("authorized user", result.stderr)
        self.assertSameAsLocal()
        self.assertGreaterEqual(self.auth.state.stats["refresh_token"], 2)

    def run_ranks_with_environments(self, rank_envs):
        """One rank per environment (mpirun's MPMD form): nodes that see
        different home directories or environment variables."""
        args = ["convert", self.inputs, "-o", f"gs://{BUCKET}/ranks.zarr", "--gcs-endpoint", self.gcs.url,
                "--chunks", "time=1", "--journal-dir", self.path("journal-ranks")]
        cmd = ["mpirun", "--oversubscribe"]
        for i, env in enumerate(rank_envs):
            cmd += ([":"] if i else []) + ["-np", "1"]
            for name, value in env.items():
                cmd += ["-x", f"{name}={value}"]
            cmd += [harness.NC2ZARR] + args
        env = dict(MPI_ENV, HOME=self.env_home)
        env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        self.assertNoSecrets(result.stdout + result.stderr)
        return result

    def test_a_rank_without_credentials_or_with_others_is_named(self):
        key = self.service_account()
        # The second node cannot read the key (not mounted there).
        result = self.run_ranks_with_environments([{"GOOGLE_APPLICATION_CREDENTIALS": key},
                                                   {"GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"}])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("credentials failed on rank 1: ", result.stderr)
        self.assertIn("/nonexistent/key.json", result.stderr)
        # The second node finds gcloud's file instead: another account.
        other_home = self.path("other-home")
        gcloud = os.path.join(other_home, ".config", "gcloud")
        os.makedirs(gcloud)
        adc = os.path.join(gcloud, "application_default_credentials.json")
        with open(adc, "w") as f:
            json.dump(dict(CLIENT, type="authorized_user", token_uri=self.auth.url + "/token"), f)
        os.chmod(adc, 0o600)
        result = self.run_ranks_with_environments([{"GOOGLE_APPLICATION_CREDENTIALS": key},
                                                   {"HOME": other_home}])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"rank 1 found other credentials (authorized user) than rank 0 ({EMAIL})", result.stderr)
        self.assertEqual(objects_under(self.gcs, "ranks.zarr"), [])

    def test_metadata_server(self):
        MPI_ENV["GCE_METADATA_HOST"] = self.auth.url.replace("http://", "")
        try:
            result = self.convert([])
        finally:
            MPI_ENV.pop("GCE_METADATA_HOST")
        self.assertIn("metadata server", result.stderr)
        self.assertSameAsLocal()

    def test_a_wrong_metadata_host_is_named(self):
        MPI_ENV["GCE_METADATA_HOST"] = "127.0.0.1:9"
        try:
            result = self.convert([], check=False)
        finally:
            MPI_ENV.pop("GCE_METADATA_HOST")
        self.assertEqual(result.returncode, 1)
        self.assertIn("GCE_METADATA_HOST", result.stderr)
        self.assertEqual(self.gcs.objects(BUCKET), [])

    def test_token_file_and_a_401_after_the_token_expires(self):
        token = self.auth.state.issue("test")["access_token"]
        path = self.path("token.txt")
        with open(path, "w") as f:
            f.write(token + "\n")
        os.chmod(path, 0o600)
        # The token dies after 2 s; a token file cannot refresh itself: clear error.
        result = self.convert(["--token-file", path, "--retry-attempts", "2"], check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("credentials were rejected", result.stderr)
        self.assertIn(path, result.stderr)
        self.assertNotIn(f"run.zarr/.zmetadata", [o["name"] for o in self.gcs.objects(BUCKET)])

    def test_auth_check_says_who_and_writes_reads_and_deletes(self):
        MPI_ENV["HOME"] = self.env_home
        result = run(["auth", "check", f"gs://{BUCKET}/me/test", "--gcs-endpoint", self.gcs.url, "--credentials",
                      self.service_account(), "-v"])
        self.assertNoSecrets(result.stdout + result.stderr)
        self.assertIn(f"identity: {EMAIL}", result.stdout)
        self.assertRegex(result.stdout, r"token:\s+valid for 0 more minute")
        self.assertIn("wrote, read back and deleted", result.stdout)
        self.assertEqual(objects_under(self.gcs, "me/test"), [])

    def test_refused_grant_stops_before_any_data_is_read(self):
        self.auth.state.faults.append({"target": "token", "status": 400, "error": "invalid_grant", "count": 10})
        report = self.path("report.json")
        result = self.convert(["--credentials", self.service_account(), "--report", report], check=False)
        self.assertEqual(result.returncode, 1)
        errors = [l for l in result.stderr.splitlines() if "error:" in l]
        self.assertEqual(len(errors), 1, result.stderr)
        self.assertIn("invalid_grant", errors[0])
        self.assertNotIn("scanning", result.stderr)
        self.assertEqual(self.gcs.objects(BUCKET), [])
        # Scripts learn why from the report too.
        with open(report) as f:
            written = json.load(f)
        self.assertEqual(written["status"], "failed")
        self.assertIn("invalid_grant", written["error"])
        self.assertNoSecrets(json.dumps(written))

    def test_a_key_file_others_can_read_draws_a_warning(self):
        result = self.convert(["--credentials", self.service_account(mode=0o644)])
        self.assertIn("chmod 600", result.stderr)

    def test_no_credentials_found_lists_what_was_tried(self):
        # No flags, no environment, an empty home, no metadata server here.
        result = self.convert([], check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("metadata server", result.stderr)
        self.assertIn("gcloud auth application-default login", result.stderr)
        self.assertEqual(self.gcs.objects(BUCKET), [])


if __name__ == "__main__":
    unittest.main()
