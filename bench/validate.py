#!/usr/bin/python3
"""Quick fidelity checks for the benchmark (the test suite checks everything).

    validate.py values STORE REFERENCE [--var sst]
        both open with xarray.open_zarr; same data variables; time, lat, lon
        equal; VAR equal everywhere (NaN == NaN).
    validate.py same-objects STORE_A STORE_B
        every object outside .nc2zarr/ is byte-identical (ranks, runs).
    validate.py gcs-objects LOCAL_STORE OBJECTS_JSON PREFIX
        the objects a GCS run stored (the test server's /_control/objects
        listing) have the sizes and MD5s of the local store's objects.

Prints one JSON line {"ok": bool, "problems": [...], "checked": ...}; exits 1
when a check fails.
"""
import base64
import hashlib
import json
import os
import sys


def store_objects(store):
    out = {}
    for dirpath, dirnames, filenames in os.walk(store):
        rel = os.path.relpath(dirpath, store)
        if rel == ".nc2zarr" or rel.startswith(".nc2zarr" + os.sep):
            continue
        for f in filenames:
            path = os.path.join(dirpath, f)
            out[os.path.normpath(os.path.relpath(path, store)).replace(os.sep, "/")] = path
    return out


def values(store, reference, var):
    import numpy as np
    import xarray as xr
    problems = []
    a = xr.open_zarr(store)
    b = xr.open_zarr(reference)
    if set(a.data_vars) != set(b.data_vars):
        problems.append(f"data variables differ: {sorted(a.data_vars)} vs {sorted(b.data_vars)}")
    for name in ("time", "lat", "lon"):
        if name in b.coords and not (name in a.coords and np.array_equal(a[name].values, b[name].values)):
            problems.append(f"coordinate {name} differs")
    if a[var].dims != b[var].dims or a[var].shape != b[var].shape:
        problems.append(f"{var}: dims/shape {a[var].dims}{a[var].shape} vs {b[var].dims}{b[var].shape}")
    else:
        # One time chunk at a time keeps memory small.
        step = 30
        n = a[var].shape[0]
        for t in range(0, n, step):
            x = a[var][t:t + step].values
            y = b[var][t:t + step].values
            if x.dtype != y.dtype or not np.array_equal(x, y, equal_nan=True):
                problems.append(f"{var}: values differ in time steps {t}..{min(n, t + step) - 1}")
                break
    return problems, {"variable": var, "shape": list(a[var].shape)}


def same_objects(a, b):
    oa, ob = store_objects(a), store_objects(b)
    problems = []
    if sorted(oa) != sorted(ob):
        problems.append(f"object lists differ: {sorted(set(oa) ^ set(ob))[:5]}")
    for key in sorted(set(oa) & set(ob)):
        with open(oa[key], "rb") as fa, open(ob[key], "rb") as fb:
            if fa.read() != fb.read():
                problems.append(f"{key} differs")
                if len(problems) > 5:
                    break
    return problems, {"objects": len(oa)}


def gcs_objects(local, listing_path, prefix):
    with open(listing_path) as f:
        listing = json.load(f)["objects"]
    remote = {o["name"][len(prefix) + 1:]: o for o in listing
              if o["name"].startswith(prefix + "/") and "/.nc2zarr/" not in "/" + o["name"][len(prefix) + 1:]}
    local_objects = store_objects(local)
    problems = []
    if sorted(remote) != sorted(local_objects):
        problems.append(f"object lists differ: {sorted(set(remote) ^ set(local_objects))[:5]}")
    for key in sorted(set(remote) & set(local_objects)):
        with open(local_objects[key], "rb") as f:
            data = f.read()
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        if int(remote[key]["size"]) != len(data) or remote[key]["md5Hash"] != md5:
            problems.append(f"{key}: stored object differs from the local store's")
            if len(problems) > 5:
                break
    return problems, {"objects": len(remote)}


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    mode = argv[0]
    if mode == "values":
        var = "sst"
        if "--var" in argv:
            var = argv[argv.index("--var") + 1]
        problems, checked = values(argv[1], argv[2], var)
    elif mode == "same-objects":
        problems, checked = same_objects(argv[1], argv[2])
    elif mode == "gcs-objects":
        problems, checked = gcs_objects(argv[1], argv[2], argv[3])
    else:
        print(__doc__)
        return 2
    print(json.dumps({"ok": not problems, "problems": problems, "checked": checked}))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
