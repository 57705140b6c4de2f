"""A local store survives a crash of the node, not only of nc2zarr: seen in
the system calls (strace) of a real two-rank conversion.

- every object's data is synced (fdatasync) before it is renamed or linked
  into place, so a journal line (written after that) never outlives its bytes;
- before a .zgroup or the .zmetadata is put in place, every directory that
  received objects is synced after its last one, so the names a reader finds
  through them are on the disk; and the root is synced after the .zmetadata,
  before nc2zarr says the store is complete.
"""
import os
import re
import shutil
import subprocess
import unittest

import harness

TRACED = "fdatasync,fsync,link,linkat,rename,renameat,renameat2"
SYNC = re.compile(r"\b(fdatasync|fsync)\(\d+<([^>]*)>")
PLACE = re.compile(r'\b(?:link|linkat|rename|renameat|renameat2)\((?:AT_FDCWD, )?"([^"]*)", (?:AT_FDCWD, )?"([^"]*)"')


def parse(trace_file):
    """(index, kind, paths) of each traced call, in the order they began.
    A call strace splits over two lines ("unfinished") counts where it began:
    within one thread the next call begins only after it returned."""
    events = []
    with open(trace_file) as f:
        for line in f:
            if "resumed>" in line:
                continue
            m = SYNC.search(line)
            if m:
                events.append((len(events), m.group(1), (m.group(2),)))
                continue
            m = PLACE.search(line)
            if m:
                events.append((len(events), "place", (m.group(1), m.group(2))))
    return events


def strace_unusable():
    """Why strace cannot trace here (no binary, ptrace denied), or None."""
    if not shutil.which("strace"):
        return "strace is not installed (scripts/setup.sh installs it)"
    probe = subprocess.run(["strace", "-o", os.devnull, "true"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"strace cannot trace here: {probe.stderr.strip()}"


class LocalStoreDurability(harness.StoreTestCase):
    def test_data_then_names_then_commit_reach_the_disk_in_order(self):
        why = strace_unusable()
        if why:
            self.skipTest(why)
        inputs = harness.make_sample(self.path("in"), files=3, steps=6, lat=20, lon=30)
        store = self.path("out.zarr")
        trace = self.path("trace.txt")
        cmd = ["strace", "-f", "-qq", "--seccomp-bpf", "-y", "-s", "4096", "-e", f"trace={TRACED}", "-o", trace,
               "mpirun", "-np", "2", "--oversubscribe", harness.NC2ZARR, "convert", *inputs, "-o", store,
               "--chunks", "time=4", "-q"]
        result = subprocess.run(cmd, capture_output=True, text=True, env=harness.MPI_ENV, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertMatchesXarray(store, inputs)

        events = parse(trace)
        root = os.path.realpath(store)
        inside = lambda p: os.path.realpath(p).startswith(root + os.sep)  # noqa: E731
        placed = [(i, paths[0], paths[1]) for i, kind, paths in events if kind == "place" and inside(paths[1])]
        data_synced = {}  # path -> index of its first fdatasync
        dir_syncs = []    # (index, directory)
        for i, kind, paths in events:
            if kind == "fdatasync":
                data_synced.setdefault(os.path.realpath(paths[0]), i)
            elif kind == "fsync":
                dir_syncs.append((i, os.path.realpath(paths[0])))

        # Every object of the store was put in place by a traced call.
        names = {os.path.relpath(os.path.realpath(dst), root) for _, _, dst in placed}
        missing = set(harness.store_objects(store)) - names
        self.assertEqual(missing, set(), "objects the trace does not show being put in place")

        # 1. Data before name.
        for i, src, dst in placed:
            synced_at = data_synced.get(os.path.realpath(src))
            self.assertIsNotNone(synced_at, f"{dst} was put in place without its data synced")
            self.assertLess(synced_at, i, f"{dst}: data synced only after it was put in place")

        # 2. Before each .zgroup and the .zmetadata: every directory synced after its last new name.
        commits = [(i, dst) for i, _, dst in placed if dst.endswith((".zgroup", ".zmetadata"))]
        self.assertTrue(any(dst.endswith(".zmetadata") for _, dst in commits))
        for at, commit in commits:
            last_into = {}
            for i, _, dst in placed:
                if i < at:
                    last_into[os.path.dirname(os.path.realpath(dst))] = i
            for directory, last in last_into.items():
                self.assertTrue(any(last < i < at and d == directory for i, d in dir_syncs),
                                f"{directory} not synced between its last new object and {commit}")

        # 3. The commit itself is on the disk before the run ends.
        zmetadata_at = max(i for i, dst in commits if dst.endswith(".zmetadata"))
        self.assertTrue(any(i > zmetadata_at and d == root for i, d in dir_syncs), "root not synced after .zmetadata")


if __name__ == "__main__":
    unittest.main()


class FullDisk(harness.StoreTestCase):
    """A destination that fills up (a quota, a full scratch file system):
    one line naming the file and what to do, nothing committed, and the
    same command finishes the job once there is room."""

    def mount_small_file_system(self, megabytes, inodes=None):
        mount_point = self.path("small")
        os.makedirs(mount_point)
        if os.geteuid() != 0 or not shutil.which("mount"):
            self.skipTest("needs root to mount a small tmpfs")
        options = f"size={megabytes}M" + (f",nr_inodes={inodes}" if inodes else "")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", mount_point],
                              capture_output=True, text=True)
        if done.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        self.mounted = mount_point
        return mount_point

    def tearDown(self):
        if getattr(self, "mounted", None):  # before the temporary directory goes
            subprocess.run(["umount", "-l", self.mounted], capture_output=True)
        super().tearDown()

    def test_a_full_disk_is_one_clear_error_and_the_rerun_finishes_once_there_is_room(self):
        source = os.path.join(harness.REAL, "ersstv5_sst.mnmean.nc")  # 8.2 MB raw, 4.4 MB stored
        if not os.path.exists(source):
            self.skipTest(f"no real data at {harness.REAL}")
        mount_point = self.mount_small_file_system(3)
        store = os.path.join(mount_point, "sst.zarr")
        full = harness.run(["convert", source, "-o", store, "-q"], check=False)
        self.assertEqual(full.returncode, 1, full.stderr)
        lines = full.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, full.stderr)
        self.assertRegex(lines[0], r"^nc2zarr: error: cannot write " + re.escape(store) + r"/\S+: No space left on device "
                         r"\(free space or raise the quota, then run the same command again: it keeps the chunks "
                         r"already written\)$")
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")))
        self.assertEqual([f for f in harness.store_objects(store) if ".tmp." in f], [])

        subprocess.run(["mount", "-o", "remount,size=20M", mount_point], check=True)
        rerun = harness.run(["convert", source, "-o", store])
        self.assertRegex(rerun.stderr, r"resuming: [1-9]\d* of \d+ chunks are stored and verified")
        self.assertMatchesXarray(store, [source])

    def test_running_out_of_inodes_while_making_directories_says_the_same(self):
        source = os.path.join(harness.REAL, "ersstv5_sst.mnmean.nc")
        if not os.path.exists(source):
            self.skipTest(f"no real data at {harness.REAL}")
        mount_point = self.mount_small_file_system(20, inodes=6)  # the arrays' directories do not fit
        store = os.path.join(mount_point, "sst.zarr")
        full = harness.run(["convert", source, "-o", store, "-q"], check=False)
        self.assertEqual(full.returncode, 1, full.stderr)
        self.assertRegex(full.stderr.strip(), r"^nc2zarr: error: cannot create (directory )?" + re.escape(store) +
                         r"/\S+: No space left on device \(free space or raise the quota, then run the same command "
                         r"again: it keeps the chunks already written\)$")
        self.assertFalse(os.path.exists(os.path.join(store, ".zmetadata")))
