"""Interrupted conversions finish on a rerun with exactly the bytes of an
uninterrupted run, and no reader ever takes an unfinished store for a
complete one: SIGKILL at random moments (one rank or all), SIGTERM with a
grace period, damaged journals, changed inputs."""
import glob
import json
import os
import random
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import xarray as xr

from gcs_fixture import BUCKET, download_store, objects_under, start_server
import harness
from harness import MPI_ENV, NC2ZARR, StoreTestCase, make_sample, run

SEED = int(os.environ.get("NC2ZARR_TEST_SEED", time.time()))
CHUNKS = ["--chunks", "time=2"]


def read_text(path):
    with open(path) as f:
        return f.read()


def children(pid):
    """PIDs of a process's children (the ranks under mpirun)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class Restart(StoreTestCase):
    def assertStatusDamaged(self, store, says):
        status = run(["status", store], check=False)
        self.assertEqual(status.returncode, 1, status.stdout + status.stderr)
        self.assertIn(says, status.stdout)

    @classmethod
    def setUpClass(cls):
        cls.rng = random.Random(SEED)
        print(f"\nrestart tests: NC2ZARR_TEST_SEED={SEED}")
        cls.shared = tempfile.mkdtemp(prefix="nc2zarr-restart-")
        make_sample(os.path.join(cls.shared, "in"), files=6, steps=8, lat=180, lon=360)
        cls.inputs = os.path.join(cls.shared, "in", "*.nc")
        cls.reference = os.path.join(cls.shared, "reference.zarr")
        started = time.time()
        run(["convert", cls.inputs, "-o", cls.reference, "-q"] + CHUNKS)
        cls.full_seconds = time.time() - started

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def start(self, output, ranks, extra=(), quiet=True):
        cmd = [NC2ZARR, "convert", self.inputs, "-o", output] + (["-q"] if quiet else []) + CHUNKS + list(extra)
        if ranks:
            cmd = ["mpirun", "-np", str(ranks), "--oversubscribe"] + cmd
        proc = subprocess.Popen(cmd, env=MPI_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.reap, proc)
        return proc

    @staticmethod
    def reap(proc):
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stderr.close()

    @staticmethod
    def wait_until_taken(server):
        """Until the server has taken its one fault (the request hangs now), and a moment more."""
        deadline = time.time() + 20
        while time.time() < deadline and server.faults.pending():
            time.sleep(0.05)
        time.sleep(0.2)

    def kill_during(self, server, fault, url, flags):
        """Converts into url, kills the run once the server has taken fault
        (a request hangs), and returns the text of the journals in
        self.path("journal")."""
        server.add_faults([fault])
        proc = self.start(url, None, flags)
        self.wait_until_taken(server)
        proc.kill()
        proc.wait()
        return "".join(read_text(p) for p in glob.glob(self.path("journal", "*.log")))

    def kill_at_random(self, proc, ranks, window):
        """SIGKILL one rank or every rank after a random delay; True if the
        run was still going when killed."""
        time.sleep(self.rng.uniform(0.05, window))
        if proc.poll() is not None:
            return False
        # Before mpirun has started its ranks (or after they ended) there is
        # no rank to kill: kill mpirun itself.
        pids = (children(proc.pid) or [proc.pid]) if ranks else [proc.pid]
        victims = pids if (not ranks or self.rng.random() < 0.5) else [self.rng.choice(pids)]
        survivors = [p for p in children(proc.pid) if p not in victims]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            # Once seen in CI: mpirun still waiting a minute after one rank
            # died. What a scheduler then does is kill the job step; do that,
            # say what the survivors were doing, and go on to the rerun,
            # which is what this test is about.
            states = subprocess.run(["ps", "-o", "pid,stat,wchan:32,etime,args", "-p",
                                     ",".join(str(p) for p in [proc.pid] + survivors)],
                                    capture_output=True, text=True).stdout
            print(f"\nwarning: mpirun had not ended 60 s after SIGKILL of {victims}; killing it:\n{states}",
                  file=sys.stderr)
            for pid in survivors + [proc.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait()
        return True

    def assertCompleteOrUnopenable(self, store):
        """The invariant: a store a reader can open is complete. A kill can
        land after the commit (during MPI's shutdown); then the store must
        be whole."""
        if os.path.exists(os.path.join(store, ".zmetadata")):
            self.assertSameObjects(self.reference, store)
            return
        try:
            xr.open_zarr(store).close()
        except Exception:
            return  # unopenable: fine
        # Killed between the root .zgroup and .zmetadata: it opens without
        # consolidated metadata, so everything else must be there already.
        have = set(harness.store_objects(store))
        want = set(harness.store_objects(self.reference)) - {".zmetadata"}
        self.assertEqual(sorted(want - have), [], "an uncommitted store opened with objects missing")

    def test_sigkill_at_random_moments_on_a_local_directory(self):
        for trial in range(12):
            ranks = self.rng.choice([None, 2, 3])
            with self.subTest(trial=trial, ranks=ranks):
                store = self.path(f"local{trial}.zarr")
                proc = self.start(store, ranks)
                interrupted = self.kill_at_random(proc, ranks, self.full_seconds * 1.5)
                if interrupted and os.path.isdir(store):
                    self.assertCompleteOrUnopenable(store)
                run(["convert", self.inputs, "-o", store, "-q"] + CHUNKS, ranks=self.rng.choice([None, 2]))
                self.assertSameObjects(self.reference, store)

    def test_sigkill_at_random_moments_on_the_gcs_test_server(self):
        server = start_server()
        self.addCleanup(server.stop)
        MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
        flags = ["--anonymous", "--resumable-threshold-mb", "0.3", "--piece-mb", "0.25",
                 "--retry-initial-seconds", "0.02", "--journal-dir"]
        started = time.time()
        run(["convert", self.inputs, "-o", f"gs://{BUCKET}/timing.zarr", "-q"] + CHUNKS + flags + [self.path("jt")])
        gcs_seconds = time.time() - started
        for trial in range(8):
            ranks = self.rng.choice([None, 2])
            with self.subTest(trial=trial, ranks=ranks):
                prefix = f"t{trial}.zarr"
                journal = self.path(f"journal{trial}")
                if trial % 2 == 0:
                    # Hold one resumable piece long enough to kill mid-upload.
                    server.add_faults([{"op": "resumable_piece", "action": "stall", "seconds": 3, "count": 1,
                                        "name_prefix": f"{prefix}/tas/"}])
                proc = self.start(f"gs://{BUCKET}/{prefix}", ranks, flags + [journal])
                window = gcs_seconds if trial % 2 else 1.0
                interrupted = self.kill_at_random(proc, ranks, window)
                server.clear_faults()
                if interrupted and f"{prefix}/.zmetadata" in objects_under(server, prefix):
                    # Killed after the commit: the store must be whole.
                    self.assertSameObjects(self.reference, download_store(server, prefix, self.path(f"early{trial}")))
                run(["convert", self.inputs, "-o", f"gs://{BUCKET}/{prefix}", "-q"] + CHUNKS + flags + [journal],
                    ranks=ranks)
                copy = download_store(server, prefix, self.path(f"copy{trial}"))
                self.assertSameObjects(self.reference, copy)

    def test_an_interrupted_resumable_upload_continues_its_session(self):
        server = start_server()
        self.addCleanup(server.stop)
        MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
        flags = ["--anonymous", "--resumable-threshold-mb", "0.3", "--piece-mb", "0.25", "--write-threads", "1",
                 "--journal-dir", self.path("journal")]
        # The second piece of the first tas chunk stalls: kill while it hangs.
        journal_text = self.kill_during(server, {"op": "resumable_piece", "action": "stall", "seconds": 5, "count": 1,
                                                 "name_prefix": "s.zarr/tas/0."}, f"gs://{BUCKET}/s.zarr", flags)
        self.assertIn("\tU\t", "\t" + journal_text.replace("\n", "\n\t"))  # a session was journaled
        server.clear_requests()
        result = run(["convert", self.inputs, "-o", f"gs://{BUCKET}/s.zarr"] + CHUNKS + flags)
        self.assertIn("1 interrupted upload(s) to continue", result.stderr)
        statuses = [r for r in server.requests() if r["op"] == "resumable_status"]
        self.assertTrue(statuses, "the rerun did not ask the old session how far it got")
        self.assertSameObjects(self.reference, download_store(server, "s.zarr", self.path("copy")))

    def test_another_job_sharing_the_journal_directory_leaves_the_interrupted_ones_journals(self):
        server = start_server()
        self.addCleanup(server.stop)
        MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
        shared = ["--journal-dir", self.path("journal")]
        flags = ["--anonymous"] + shared
        journaled = self.kill_during(server, {"op": "upload_media", "action": "stall", "seconds": 30, "count": 1,
                                              "name_prefix": "a.zarr/tas/20."}, f"gs://{BUCKET}/a.zarr", flags)
        stored = journaled.count("\nS\t")
        self.assertGreater(stored, 0, "no chunk was stored before the kill: the test shows nothing")
        # Another job, started afresh into its own (empty) store, same journal directory.
        run(["convert", self.inputs, "-o", self.path("b.zarr"), "-q", "--chunks", "time=4"] + shared)
        server.clear_faults()
        result = run(["convert", self.inputs, "-o", f"gs://{BUCKET}/a.zarr"] + CHUNKS + flags)
        self.assertNotIn("no journal of the interrupted run", result.stderr)
        self.assertNotIn("another plan", result.stderr)  # the other job's journals are no news
        resumed = re.search(r"resuming: (\d+) of", result.stderr)
        self.assertIsNotNone(resumed, result.stderr)
        self.assertEqual(int(resumed.group(1)), stored, result.stderr)
        self.assertSameObjects(self.reference, download_store(server, "a.zarr", self.path("copy")))

    def test_sigterm_or_sigusr1_exits_75_within_the_grace_period_and_the_rerun_finishes(self):
        server = start_server()
        self.addCleanup(server.stop)
        MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
        flags = ["--anonymous", "--grace-seconds", "1", "--journal-dir", self.path("journal")]
        for ranks in (None, 2):
            with self.subTest(ranks=ranks):
                prefix = f"term{ranks}.zarr"
                # An upload that hangs for 30 s: only the grace period ends it.
                server.add_faults([{"op": "upload_media", "action": "stall", "seconds": 30, "count": 1,
                                    "name_prefix": f"{prefix}/tas/"}])
                proc = self.start(f"gs://{BUCKET}/{prefix}", ranks, flags + ["--progress", "none"], quiet=False)
                self.wait_until_taken(server)
                sent = time.time()
                # mpirun turns SIGTERM into a kill of the job but forwards
                # SIGUSR1, which Slurm's --signal sends; srun passes SIGTERM on.
                proc.send_signal(signal.SIGUSR1 if ranks else signal.SIGTERM)
                code = proc.wait(timeout=30)
                elapsed = time.time() - sent
                said = proc.stderr.read()
                self.assertEqual(code, 75, said)
                self.assertLess(elapsed, 6)
                # Told at once what stopping means; the abandoned upload is
                # what the signal asked for, not an error of its own.
                self.assertIn("stopping: no new chunks start, and writes in flight have up to 1 s", said)
                self.assertIn("error: stopped by SIG", said)
                self.assertNotIn("abandoned on request", said)
                self.assertNotIn(f"{prefix}/.zmetadata", objects_under(server, prefix))
                server.clear_faults()
                run(["convert", self.inputs, "-o", f"gs://{BUCKET}/{prefix}", "-q"] + CHUNKS + flags, ranks=ranks)
                self.assertSameObjects(self.reference, download_store(server, prefix, self.path(f"c{ranks}")))

    def test_a_second_signal_ends_the_grace_period_at_once(self):
        server = start_server()
        self.addCleanup(server.stop)
        MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
        flags = ["--anonymous", "--journal-dir", self.path("journal")]  # the default grace period: 30 s
        server.add_faults([{"op": "upload_media", "action": "stall", "seconds": 30, "count": 1,
                            "name_prefix": "twice.zarr/tas/"}])
        proc = self.start(f"gs://{BUCKET}/twice.zarr", None, flags + ["--progress", "none"], quiet=False)
        self.wait_until_taken(server)
        sent = time.time()
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=40)
        said = proc.stderr.read()
        self.assertEqual(code, 75, said)
        self.assertLess(time.time() - sent, 6, said)
        self.assertIn("stopping at once: writes in flight are abandoned", said)
        self.assertIn("error: stopped by SIGINT", said)
        server.clear_faults()
        run(["convert", self.inputs, "-o", f"gs://{BUCKET}/twice.zarr", "-q"] + CHUNKS + flags)
        self.assertSameObjects(self.reference, download_store(server, "twice.zarr", self.path("c")))

    def test_a_run_killed_between_the_root_zgroup_and_zmetadata_is_finished_by_the_rerun(self):
        # The state a kill while writing .zmetadata leaves (seen in the
        # random-kill test): every object but .zmetadata, and its temporary
        # file. The rerun must commit it, not call the store complete.
        store = self.path("half-committed.zarr")
        run(["convert", self.inputs, "-o", store, "-q"] + CHUNKS)
        os.remove(os.path.join(store, ".zmetadata"))
        with open(os.path.join(store, "..zmetadata.tmp.4242.9"), "w") as f:
            f.write('{"metadata": {')
        result = run(["convert", self.inputs, "-o", store] + CHUNKS)
        self.assertNotIn("nothing to do", result.stderr)
        self.assertIn("the store is complete", result.stderr)
        self.assertSameObjects(self.reference, store)

    def test_a_temporary_file_left_after_the_commit_is_removed_by_the_rerun(self):
        # Killed between linking .zmetadata into place and removing its
        # temporary name: the store is complete, the leftover goes.
        store = self.path("committed.zarr")
        run(["convert", self.inputs, "-o", store, "-q"] + CHUNKS)
        with open(os.path.join(store, "..zmetadata.tmp.4242.10"), "w") as f:
            f.write("{}")
        result = run(["convert", self.inputs, "-o", store] + CHUNKS)
        self.assertIn("nothing to do", result.stderr)
        self.assertSameObjects(self.reference, store)

    def test_a_probe_left_by_a_run_killed_mid_probe_does_not_block_the_rerun(self):
        # Killed between writing its probe object and deleting it, a run
        # leaves only that object: the rerun must not call the destination
        # "not a Zarr store". Local directory, then the GCS test server.
        store = self.path("probe.zarr")
        os.makedirs(os.path.join(store, ".nc2zarr"))
        with open(os.path.join(store, ".nc2zarr", "probe-12345"), "w") as f:
            f.write("nc2zarr write probe")
        run(["convert", self.inputs, "-o", store, "-q"] + CHUNKS)
        self.assertSameObjects(self.reference, store)
        self.assertFalse(os.path.exists(os.path.join(store, ".nc2zarr", "probe-12345")))

        server = start_server()
        self.addCleanup(server.stop)
        MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
        name = urllib.parse.quote("probe.zarr/.nc2zarr/probe-12345", safe="")
        request = urllib.request.Request(f"{server.url}/upload/storage/v1/b/{BUCKET}/o?uploadType=media&name={name}",
                                         data=b"nc2zarr write probe", method="POST")
        with urllib.request.urlopen(request, timeout=30) as reply:
            self.assertEqual(reply.status, 200)
        self.assertEqual(objects_under(server, "probe.zarr"), ["probe.zarr/.nc2zarr/probe-12345"])
        run(["convert", self.inputs, "-o", f"gs://{BUCKET}/probe.zarr", "-q", "--anonymous", "--journal-dir",
             self.path("probe-journal")] + CHUNKS)
        self.assertNotIn("probe.zarr/.nc2zarr/probe-12345", objects_under(server, "probe.zarr"))
        self.assertSameObjects(self.reference, download_store(server, "probe.zarr", self.path("probe-copy")))

    def interrupted_local_store(self, name):
        store = self.path(name)
        proc = self.start(store, None, ["--write-threads", "1"])
        while proc.poll() is None and len(glob.glob(os.path.join(store, "tas", "*"))) < 8:
            time.sleep(0.01)
        proc.kill()
        proc.wait()
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")), "finished before the kill")
        return store

    def test_damaged_journals_are_skipped_safely(self):
        store = self.interrupted_local_store("damaged.zarr")
        journals = glob.glob(os.path.join(store, ".nc2zarr", "journal", "*.log"))
        self.assertEqual(len(journals), 1)
        with open(journals[0], "a") as f:
            f.write("S\ttas/9.0.0\t123\tdeadbeef\t00000000\n")  # a bad line CRC
            f.write("S\ttas/1")                                  # a line cut by a crash
        with open(os.path.join(store, ".nc2zarr", "journal", "run-1-rank-0.log"), "w") as f:
            f.write("nc2zarr-journal 1\t0123456789abcdef\t00000000\n")  # a header whose CRC is wrong
        result = run(["convert", self.inputs, "-o", store] + CHUNKS)
        self.assertIn("is damaged (cut by a crash?); ignored", result.stderr)
        self.assertIn("run-1-rank-0.log is not a journal (or its first line is damaged); ignored", result.stderr)
        self.assertSameObjects(self.reference, store)

    def test_chunks_deleted_between_runs_are_written_again(self):
        store = self.interrupted_local_store("deleted.zarr")
        for path in glob.glob(os.path.join(store, "tas", "*"))[:3]:
            os.remove(path)
        run(["convert", self.inputs, "-o", store, "-q"] + CHUNKS)
        self.assertSameObjects(self.reference, store)

    def test_a_chunk_deleted_after_the_commit_is_found_and_written_again(self):
        # Deleted out of band from a finished store in a bucket: readers
        # would see fill values. status says so (exit 1); the rerun takes
        # the commit back, writes the chunk and commits again.
        server = start_server()
        self.addCleanup(server.stop)
        MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
        flags = ["--anonymous", "--journal-dir", self.path("journal")]
        url = f"gs://{BUCKET}/lost.zarr"
        run(["convert", self.inputs, "-o", url, "-q"] + CHUNKS + flags)
        name = urllib.parse.quote("lost.zarr/tas/1.0.0", safe="")
        request = urllib.request.Request(f"{server.url}/storage/v1/b/{BUCKET}/o/{name}", method="DELETE")
        with urllib.request.urlopen(request) as reply:
            self.assertEqual(reply.status, 204)
        status = run(["status", url, "--anonymous", "--journal-dir", self.path("journal")], check=False)
        self.assertEqual(status.returncode, 1, status.stdout + status.stderr)
        self.assertIn("DAMAGED: committed, but 1 chunk(s) are missing", status.stdout)
        # Another chunk replaced by bytes of the same size: the listing's
        # CRC32C differs from the one the commit recorded in the store.
        name = urllib.parse.quote("lost.zarr/tas/2.0.0", safe="")
        with urllib.request.urlopen(f"{server.url}/storage/v1/b/{BUCKET}/o/{name}?alt=media") as reply:
            body = bytearray(reply.read())
        body[100] ^= 0xFF
        upload = urllib.request.Request(f"{server.url}/upload/storage/v1/b/{BUCKET}/o?uploadType=media&name={name}",
                                        data=bytes(body), method="POST")
        with urllib.request.urlopen(upload) as reply:
            self.assertEqual(reply.status, 200)
        # From a directory without the run's journal: the store's own record
        # says which chunks are whole, so only the two are written.
        elsewhere = ["--anonymous", "--journal-dir", self.path("elsewhere")]
        status = run(["status", url] + elsewhere, check=False)
        self.assertEqual(status.returncode, 1, status.stdout + status.stderr)
        self.assertIn("DAMAGED: committed, but 2 chunk(s) are missing or differ", status.stdout)
        result = run(["convert", self.inputs, "-o", url] + CHUNKS + elsewhere)
        self.assertIn("is committed but 2 chunk(s) (tas/1.0.0, ...) are missing or differ from what was written",
                      result.stderr)
        resumed = re.search(r"resuming: (\d+) of (\d+) chunks are stored and verified", result.stderr)
        self.assertIsNotNone(resumed, result.stderr)
        self.assertEqual(int(resumed.group(1)), int(resumed.group(2)) - 2)
        self.assertIn("the store is complete", result.stderr)
        self.assertSameObjects(self.reference, download_store(server, "lost.zarr", self.path("lost-copy")))
        status = run(["status", url, "--anonymous", "--journal-dir", self.path("journal")])
        self.assertIn("complete (committed", status.stdout)

    def test_a_committed_store_keeps_its_record_and_is_repaired_without_one(self):
        # Journals elsewhere (--journal-dir): the store's own copy of the
        # record still finds a chunk cut short.
        store = self.path("kept.zarr")
        run(["convert", self.inputs, "-o", store, "-q", "--journal-dir", self.path("journals")] + CHUNKS)
        self.assertTrue(os.path.exists(os.path.join(store, ".nc2zarr", "journal.log")))
        with open(os.path.join(store, "tas", "1.0.0"), "r+b") as f:
            f.truncate(100)
        self.assertStatusDamaged(store, "DAMAGED: committed, but 1 chunk(s)")
        # No record at all (a store committed by an older version): the
        # repair takes the listed chunks as the commit verified them and
        # writes only the missing one.
        # A chunk cut short with it must still be found: each unrecorded
        # chunk has to decode to a whole one.
        os.remove(os.path.join(store, ".nc2zarr", "journal.log"))
        shutil.rmtree(self.path("journals"))
        os.remove(os.path.join(store, "tas", "1.0.0"))
        with open(os.path.join(store, "tas", "2.0.0"), "r+b") as f:
            f.truncate(10)
        result = run(["convert", self.inputs, "-o", store] + CHUNKS)
        self.assertIn("tas/2.0.0 does not decode to a whole chunk; writing it again", result.stderr)
        resumed = re.search(r"resuming: (\d+) of (\d+) chunks are stored and verified", result.stderr)
        self.assertIsNotNone(resumed, result.stderr)
        self.assertEqual(int(resumed.group(1)), int(resumed.group(2)) - 2)
        self.assertSameObjects(self.reference, store)
        self.assertIn("complete (committed", run(["status", store]).stdout)

    def test_a_damaged_record_in_the_store_makes_every_chunk_checked(self):
        # The kept record unreadable: status cannot call the store complete,
        # and the rerun decodes every chunk, rewrites the cut one and the record.
        store = self.path("record.zarr")
        run(["convert", self.inputs, "-o", store, "-q", "--journal-dir", self.path("journals")] + CHUNKS)
        shutil.rmtree(self.path("journals"))
        with open(os.path.join(store, ".nc2zarr", "journal.log"), "r+b") as f:
            f.seek(3)
            f.write(b"X")
        with open(os.path.join(store, "tas", "1.0.0"), "r+b") as f:
            f.truncate(500)
        self.assertStatusDamaged(store, "DAMAGED: committed, but its record of the chunks is damaged")
        result = run(["convert", self.inputs, "-o", store] + CHUNKS)
        self.assertIn("tas/1.0.0 does not decode to a whole chunk; writing it again", result.stderr)
        self.assertSameObjects(self.reference, store)
        self.assertIn("complete (committed", run(["status", store]).stdout)

    def test_metadata_changed_after_the_commit_is_damage_and_is_written_again(self):
        store = self.path("metadata.zarr")
        run(["convert", self.inputs, "-o", store, "-q"] + CHUNKS)
        with open(os.path.join(store, "tas", ".zarray")) as f:
            zarray = json.load(f)
        zarray["dtype"] = "<f8"  # a reader not using .zmetadata gets other values
        with open(os.path.join(store, "tas", ".zarray"), "w") as f:
            json.dump(zarray, f)
        os.remove(os.path.join(store, "tas", ".zattrs"))
        self.assertStatusDamaged(store, "DAMAGED: committed, but 2 metadata object(s) (tas/.zarray, ...)")
        result = run(["convert", self.inputs, "-o", store] + CHUNKS)
        self.assertIn("2 metadata object(s) (tas/.zarray, ...) are missing or differ", result.stderr)
        self.assertRegex(result.stderr, r"wrote 0 chunks")
        self.assertSameObjects(self.reference, store)
        self.assertIn("complete (committed", run(["status", store]).stdout)
        # The consolidated metadata replaced: what every xarray reader opens.
        with open(os.path.join(store, ".zmetadata"), "w") as f:
            f.write('{"not": "zarr"}')
        self.assertStatusDamaged(store, "(.zmetadata)")
        run(["convert", self.inputs, "-o", store, "-q"] + CHUNKS)
        self.assertSameObjects(self.reference, store)

    def test_a_journaled_chunk_replaced_between_runs_is_written_again(self):
        store = self.interrupted_local_store("replaced.zarr")
        (journal,) = glob.glob(os.path.join(store, ".nc2zarr", "journal", "*.log"))
        journaled = [line.split("\t")[1] for line in read_text(journal).splitlines()
                     if line.startswith("S\ttas/") and line.count("\t") >= 4]
        with open(os.path.join(store, journaled[0]), "wb") as f:
            f.write(b"not what nc2zarr wrote")
        # One byte changed in place: the size is the journaled one, and a
        # directory lists no CRC32C, so the rerun reads the kept chunks back.
        with open(os.path.join(store, journaled[1]), "r+b") as f:
            f.seek(100)
            byte = f.read(1)
            f.seek(100)
            f.write(bytes([byte[0] ^ 0xFF]))
        result = run(["convert", self.inputs, "-o", store] + CHUNKS)
        for key in journaled[:2]:
            self.assertIn(key + " differs from what was written; writing it again", result.stderr)
        self.assertSameObjects(self.reference, store)

    def test_a_chunk_cut_short_after_the_commit_is_found_and_written_again(self):
        store = self.path("cut.zarr")
        run(["convert", self.inputs, "-o", store, "-q"] + CHUNKS)
        with open(os.path.join(store, "tas", "1.0.0"), "r+b") as f:
            f.truncate(1000)
        self.assertStatusDamaged(store, "DAMAGED: committed, but 1 chunk(s) are missing or differ from what was written")
        result = run(["convert", self.inputs, "-o", store] + CHUNKS)
        self.assertIn("is committed but 1 chunk(s) (tas/1.0.0) are missing or differ from what was written", result.stderr)
        self.assertIn("tas/1.0.0 differs from what was written; writing it again", result.stderr)
        self.assertSameObjects(self.reference, store)
        self.assertIn("complete (committed", run(["status", store]).stdout)

    def test_a_destination_deleted_between_runs_starts_afresh(self):
        server = start_server()
        self.addCleanup(server.stop)
        MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
        flags = ["--anonymous", "--journal-dir", self.path("journal")]
        run(["convert", self.inputs, "-o", f"gs://{BUCKET}/gone.zarr", "-q"] + CHUNKS + flags)
        server.reset()  # the bucket's objects are gone; the journals stay
        run(["convert", self.inputs, "-o", f"gs://{BUCKET}/gone.zarr", "-q"] + CHUNKS + flags)
        self.assertSameObjects(self.reference, download_store(server, "gone.zarr", self.path("copy")))

    def test_status_without_the_journal_says_where_to_look(self):
        # A gs:// run's journal is in the directory it ran in; status from
        # another directory sees the chunk objects but not that they are whole.
        store = self.interrupted_local_store("elsewhere.zarr")
        status = run(["status", store, "--journal-dir", self.path("empty")], check=False)
        self.assertEqual(status.returncode, 3)  # not committed: `status && ...` stops
        self.assertRegex(status.stdout, r"\d+ chunk object\(s\) are stored, but no journal says they are whole")
        self.assertNotIn("no journal", run(["status", store], check=False).stdout)

    def test_changed_inputs_are_refused_and_no_resume_starts_again(self):
        store = self.interrupted_local_store("changed.zarr")
        result = run(["convert", self.inputs, "-o", store, "--chunks", "time=3"], check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("holds an interrupted conversion of a different job (", result.stderr)
        self.assertIn("once no job is writing there, pass --overwrite", result.stderr)
        self.assertIn("chunks of 'tas' were (2, 180, 360), now (3, 180, 360)", result.stderr)
        status = run(["status", store], check=False).stdout
        self.assertIn("not committed", status)
        self.assertRegex(status, r"tas\s+\d+ / 24\s+chunks")
        run(["convert", self.inputs, "-o", store, "-q", "--chunks", "time=3", "--no-resume"])
        self.assertIn("complete", run(["status", store]).stdout)
        with open(os.path.join(store, "tas", ".zarray")) as f:
            self.assertEqual(json.load(f)["chunks"], [3, 180, 360])


if __name__ == "__main__":
    unittest.main()
