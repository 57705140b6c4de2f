"""Progress from the first second: lines in batch logs, a live bar on a
terminal, the job's total across ranks; the final summary and --report."""
import json
import os
import pty
import re
import subprocess
import unittest

from harness import MPI_ENV, NC2ZARR, StoreTestCase, make_sample, run


class Progress(StoreTestCase):
    def setUp(self):
        super().setUp()
        make_sample(self.path("in"), files=4, steps=20, lat=90, lon=180)
        self.inputs = self.path("in", "*.nc")

    def test_lines_in_batch_logs_add_up_over_two_ranks(self):
        result = run(["convert", self.inputs, "-o", self.path("a.zarr"), "--chunks", "time=1", "--progress", "lines",
                      "--progress-interval", "0.05", "--report", self.path("report.json")], ranks=2)
        lines = [l for l in result.stderr.splitlines() if re.search(r"chunks \d+/\d+ \(", l)]
        self.assertGreaterEqual(len(lines), 2, result.stderr)
        self.assertRegex(lines[0], r"chunks \d+/\d+ \(\d+\.\d% of the data\)  read .*  wrote .*  ratio .*  ETA ")
        # The last line is the whole job: every rank's chunks.
        total = int(re.search(r"chunks \d+/(\d+)", lines[-1]).group(1))
        self.assertIn(f"chunks {total}/{total} (100.0% of the data)", lines[-1])
        with open(self.path("report.json")) as f:
            report = json.load(f)
        self.assertEqual(report["status"], "complete")
        self.assertEqual(report["chunks_written"], total)
        self.assertEqual(report["ranks"], 2)
        self.assertGreater(report["compression_ratio"], 1)
        self.assertIn(f"wrote {total} chunks", result.stderr)
        # Where the time went: the phases follow one another inside the run's wall time.
        phases = report["phase_seconds"]
        self.assertEqual(sorted(phases), ["chunks", "commit", "scan_and_plan"])
        for name, seconds in phases.items():
            self.assertGreaterEqual(seconds, 0, name)
        self.assertGreater(phases["chunks"], phases["commit"])
        self.assertLessEqual(sum(phases.values()), report["wall_seconds"] + 1e-6)

    def test_a_bar_on_a_terminal(self):
        leader, follower = pty.openpty()
        proc = subprocess.Popen([NC2ZARR, "convert", self.inputs, "-o", self.path("b.zarr"), "--chunks", "time=1"],
                                stdin=follower, stdout=follower, stderr=follower, env=MPI_ENV)
        os.close(follower)
        output = b""
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the terminal closed: the process is gone
                break
            if not data:
                break
            output += data
        os.close(leader)
        self.assertEqual(proc.wait(), 0)
        text = output.decode(errors="replace")
        self.assertIn("\r", text)
        self.assertRegex(text, r"100\.0% \d+/\d+ \[#+\]")
        self.assertNotRegex(text, r"nc2zarr: chunks \d+/")  # no batch lines on a terminal

    def test_none_and_quiet_print_no_progress(self):
        for flag in ("--progress=none", "-q"):
            result = run(["convert", self.inputs, "-o", self.path(f"c{flag}.zarr"), flag])
            self.assertNotRegex(result.stderr, r"chunks \d+/\d+")

    def test_an_interrupted_run_reports_interrupted(self):
        store = self.path("d.zarr")
        proc = subprocess.Popen([NC2ZARR, "convert", self.inputs, "-o", store, "--chunks", "time=1", "--write-threads",
                                 "1", "--report", self.path("r.json"), "-q"], env=MPI_ENV, stderr=subprocess.PIPE,
                                text=True)
        while proc.poll() is None and not os.path.exists(os.path.join(store, "tas", "3.0.0")):
            pass
        proc.terminate()
        self.assertEqual(proc.wait(), 75)
        self.assertIn("stopped by SIGTERM", proc.stderr.read())
        proc.stderr.close()
        with open(self.path("r.json")) as f:
            report = json.load(f)
        self.assertEqual((report["status"], report["exit_code"]), ("interrupted", 75))


if __name__ == "__main__":
    unittest.main()
