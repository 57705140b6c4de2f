"""Shared helpers for the end-to-end tests: where the binaries are, running
nc2zarr with or without mpirun, making sample data, comparing stores."""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.abspath(os.environ.get("NC2ZARR_BUILD", os.path.join(ROOT, "build")))
NC2ZARR = os.path.join(BUILD, "nc2zarr")
SAMPLE = os.path.join(BUILD, "nc2zarr-sample")
REAL = os.environ.get("NC2ZARR_REAL_DATA", os.path.join(os.path.dirname(ROOT), "shared", "data", "real"))

sys.path.insert(0, HERE)
import xarray_compare  # noqa: E402

MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")


def run(args, ranks=None, check=True, timeout=600, cwd=None):
    """Runs nc2zarr (under mpirun when ranks is given), in cwd when given; returns the result."""
    cmd = [NC2ZARR] + list(args)
    if ranks is not None:
        cmd = ["mpirun", "-np", str(ranks), "--oversubscribe"] + cmd
    result = subprocess.run(cmd, capture_output=True, text=True, env=MPI_ENV, timeout=timeout, cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}")
    return result


def make_sample(directory, **options):
    args = [SAMPLE, "-o", directory]
    for key, value in options.items():
        args += ["--" + key.replace("_", "-"), str(value)]
    subprocess.run(args, check=True, capture_output=True)
    return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".nc"))


def store_objects(store):
    """Relative paths of every object in a store, outside .nc2zarr/."""
    out = []
    for dirpath, dirnames, filenames in os.walk(store):
        rel = os.path.relpath(dirpath, store)
        if rel == ".nc2zarr" or rel.startswith(".nc2zarr" + os.sep):
            continue
        out += [os.path.normpath(os.path.join(rel, f)) for f in filenames]
    return sorted(out)


class StoreTestCase(unittest.TestCase):
    """A test with its own temporary directory and store assertions."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="nc2zarr-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def assertMatchesXarray(self, store, files=None, concat_dim=None, decoded_only=False):
        problems = xarray_compare.compare(store, files, concat_dim, decoded_only=decoded_only)
        self.assertEqual(problems, [], "\n".join(problems))

    def assertSameObjects(self, a, b):
        objects_a, objects_b = store_objects(a), store_objects(b)
        self.assertEqual(objects_a, objects_b)
        _, mismatch, errors = filecmp.cmpfiles(a, b, objects_a, shallow=False)
        self.assertEqual(mismatch + errors, [], f"objects differ between {a} and {b}")

    def assertNoStore(self, store):
        """Nothing a reader could take for a store, not even a directory."""
        self.assertFalse(os.path.exists(store), f"{store} exists: {store_objects(store) if os.path.isdir(store) else ''}")


def peak_rss_kib(args):
    """Runs nc2zarr alone in a fresh process and returns its peak RSS (KiB)."""
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "sys.exit(r.returncode) if r.returncode else print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", probe, NC2ZARR] + list(args), capture_output=True, text=True,
                            env=MPI_ENV, timeout=600)
    if result.returncode != 0:
        raise AssertionError(f"nc2zarr {' '.join(args)} failed: {result.stderr}")
    return int(result.stdout.strip())
