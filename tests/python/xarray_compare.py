"""Checks that a Zarr store written by nc2zarr opens in xarray exactly as its
NetCDF inputs do: same variables, dims, coordinates, values (NaN equal NaN),
attributes and on-disk dtypes, with CF decoding on and off.

Run with Debian's interpreter: /usr/bin/python3 xarray_compare.py STORE
(the inputs, their order and the concat dimension are read from the plan the
store records in .nc2zarr/plan.json; pass --inputs to override).
"""
import argparse
import json
import os
import sys
import warnings

import netCDF4
import numpy as np
import xarray as xr

# The reference reading: what a user of open_mfdataset gets. "minimal" keeps
# variables without the concat dimension as single copies, which is what
# nc2zarr writes (it checks they are identical in every file).
DECODE_OFF = dict(mask_and_scale=False, decode_times=False, decode_coords=False,
                  decode_timedelta=False, concat_characters=True)
DECODE_ON = dict(use_cftime=True)


def group_paths(path):
    """Every group of a NetCDF file, as paths relative to the root ('' first)."""
    out = []
    with netCDF4.Dataset(path) as ds:
        pending = [("", ds)]
        while pending:
            name, g = pending.pop(0)
            out.append(name)
            for child_name, child in g.groups.items():
                pending.append((f"{name}/{child_name}" if name else child_name, child))
    return out


def open_inputs(files, concat_dim, group, flags, variables):
    kwargs = dict(flags)
    if group:
        kwargs["group"] = group
    if concat_dim and len(files) > 1:
        ds = xr.open_mfdataset(files, combine="nested", concat_dim=concat_dim,
                               data_vars="minimal", **kwargs)
    else:
        ds = xr.open_dataset(files[0], **kwargs)
    if variables is not None:  # exactly the variables the store holds
        ds = ds.drop_vars([v for v in ds.variables if v not in variables])
    return ds


def open_store(store, group, flags):
    kwargs = dict(flags)
    if group:
        kwargs["group"] = group
    return xr.open_zarr(store, consolidated=True, **kwargs)


def differences(ours, ref, label):
    problems = []
    if set(ours.variables) != set(ref.variables):
        problems.append(f"{label}: variables differ: only in store {sorted(set(ours.variables) - set(ref.variables))}, "
                        f"only in inputs {sorted(set(ref.variables) - set(ours.variables))}")
        return problems
    if set(ours.coords) != set(ref.coords):
        problems.append(f"{label}: coordinates differ: store {sorted(ours.coords)}, inputs {sorted(ref.coords)}")
    if dict(ours.dims) != dict(ref.dims):
        problems.append(f"{label}: dims differ: store {dict(ours.dims)}, inputs {dict(ref.dims)}")
    if not attrs_equal(ours.attrs, ref.attrs):
        problems.append(f"{label}: global attributes differ: {attr_diff(ours.attrs, ref.attrs)}")
    for name in ref.variables:
        a, b = ours[name].variable, ref[name].variable
        if a.dims != b.dims:
            problems.append(f"{label}: {name}: dims {a.dims} != {b.dims}")
            continue
        if a.dtype != b.dtype:
            problems.append(f"{label}: {name}: dtype {a.dtype} != {b.dtype}")
        if not attrs_equal(a.attrs, b.attrs):
            problems.append(f"{label}: {name}: attributes differ: {attr_diff(a.attrs, b.attrs)}")
        va, vb = np.asarray(a.values), np.asarray(b.values)
        if va.shape != vb.shape:
            problems.append(f"{label}: {name}: shape {va.shape} != {vb.shape}")
        elif not values_equal(va, vb):
            bad = mismatch_count(va, vb)
            problems.append(f"{label}: {name}: {bad} of {va.size} values differ")
    return problems


def values_equal(a, b):
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return np.array_equal(a, b, equal_nan=True)
    if a.dtype.kind == "O" or b.dtype.kind == "O":
        return all(x == y or (x != x and y != y) for x, y in zip(a.ravel(), b.ravel()))
    return np.array_equal(a, b)


def mismatch_count(a, b):
    try:
        if a.dtype.kind in "fc":
            return int(np.sum(~((a == b) | (np.isnan(a) & np.isnan(b)))))
        return int(np.sum(a != b))
    except TypeError:
        return -1


def same_value(x, y):
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray) or isinstance(x, list) or isinstance(y, list):
        xa, ya = np.asarray(x), np.asarray(y)
        if xa.shape != ya.shape:
            return False
        if xa.dtype.kind in "fc" and ya.dtype.kind in "fc":
            return np.array_equal(xa, ya, equal_nan=True)
        return bool(np.all(xa == ya))
    if isinstance(x, (str, bytes)) or isinstance(y, (str, bytes)):
        return x == y
    try:
        return x == y or (np.isnan(x) and np.isnan(y))
    except TypeError:
        return False


def visible(attrs):
    """xarray's Zarr reader hides attributes whose names start with _NC (it
    takes them for NCZarr's own); the store keeps them, the reader cannot
    show them, so they are left out of the comparison."""
    return {k: v for k, v in attrs.items() if not k.startswith("_NC")}


def attrs_equal(a, b):
    a, b = visible(a), visible(b)
    return set(a) == set(b) and all(same_value(a[k], b[k]) for k in a)


def attr_diff(a, b):
    a, b = visible(a), visible(b)
    keys = sorted(set(a) | set(b))
    return "; ".join(f"{k}: store={a.get(k, '<absent>')!r} inputs={b.get(k, '<absent>')!r}"
                     for k in keys if k not in a or k not in b or not same_value(a[k], b[k]))[:2000]


def compare(store, files=None, concat_dim=None, variables=None, decoded_only=False):
    """Problems found, [] when the store reads as the inputs do. decoded_only
    for inputs whose raw values differ on purpose: files counting time from
    different reference dates, which nc2zarr converts to the first's units."""
    plan_path = os.path.join(store, ".nc2zarr", "plan.json")
    plan = None
    if os.path.exists(plan_path):
        with open(plan_path) as f:
            plan = json.load(f)
    if files is None:
        files = [f["path"] for f in plan["files"]]
    if concat_dim is None:
        concat_dim = plan["concat_dim"] if plan else ""
    if variables is None and plan is not None:
        variables = {v["name"] for v in plan["variables"]}
        all_names = set()
        with netCDF4.Dataset(files[0]) as ds:
            for g in [ds] + list(walk(ds)):
                all_names.update(g.variables)
        if variables == all_names:
            variables = None
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for group in group_paths(files[0]):
            readings = (("decoded", DECODE_ON),) if decoded_only else (("decoded", DECODE_ON), ("raw", DECODE_OFF))
            for label, flags in readings:
                where = f"{label}{' /' + group if group else ''}"
                try:
                    ref = open_inputs(files, concat_dim, group, flags, variables)
                    ours = open_store(store, group, flags)
                    problems += differences(ours, ref, where)
                except Exception as e:  # a reader failure is a finding, not a crash
                    problems.append(f"{where}: {type(e).__name__}: {e}")
    return problems


def walk(group):
    for child in group.groups.values():
        yield child
        yield from walk(child)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("--inputs", nargs="*", help="input files in concat order (default: from the plan)")
    parser.add_argument("--concat-dim", default=None)
    args = parser.parse_args()
    problems = compare(args.store, args.inputs, args.concat_dim)
    for p in problems:
        print("MISMATCH", p)
    if problems:
        return 1
    print(f"OK {args.store} opens in xarray as its inputs do (decoded and raw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
