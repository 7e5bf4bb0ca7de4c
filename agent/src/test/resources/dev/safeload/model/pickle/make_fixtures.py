"""Pickles that CPython's unpickling modes read differently, each proved against the real readers.

Run from this folder with plain python3 (no third-party packages): it rewrites the fixtures and
checks, with the C unpickler on bytes (pickle.loads), the C unpickler on a file (pickle.load of a
BytesIO: torch.load reads data.pkl that way), and pickle.py (pickle._loads), that every attack
really does what its name says and every twin loads alike everywhere. Output with CPython 3.11.7:

    frame_straddle.pkl: loads -> None; load(file) -> runs posix.system; pickle.py -> UnpicklingError
    frame_straddle_twin.pkl: loads -> None; load(file) -> None; pickle.py -> None
    int_octal.pkl: loads -> 8; load(file) -> 8; pickle.py -> ValueError
    int_octal_twin.pkl: loads -> 10; load(file) -> 10; pickle.py -> 10
"""
import io
import os
import pickle
import pickletools

MARK = "/tmp/safeload-frame-straddle-ran"


def frame_straddle(straddle):
    # SHORT_BINUNICODE of K bytes whose first 2 bytes sit in the frame: pickle.load from a file
    # drops those 2 and takes its K bytes from after the frame (_Unpickler_ReadImpl replaces
    # the buffer), so it reads opcodes 2 bytes later than loads() does: exactly at the hidden
    # GLOBAL that loads() reads as the data of a SHORT_BINBYTES. (Bytes payloads themselves are
    # read with _Unpickler_ReadInto, which drains the frame first, so they do not diverge.)
    k = 8
    evil = b"cposix\nsystem\n\x8c" + bytes([len("touch " + MARK)]) + ("touch " + MARK).encode() + b"\x85R"
    body = b"\x8c" + bytes([k]) + b"XX"
    after = b"T" * (k - 2) + b"C" + bytes([len(evil)]) + evil + b"00N."
    if straddle:
        return b"\x80\x04\x95" + len(body).to_bytes(8, "little") + body + after
    # The twin: the same bytes unframed, so every reader reads one pickle.
    return b"\x80\x04" + body + after


def outcome(read, data):
    if os.path.exists(MARK):
        os.remove(MARK)
    try:
        value = read(data)
        return "runs posix.system" if os.path.exists(MARK) else repr(value)
    except Exception as e:  # a reader refusing is a result too
        return type(e).__name__


FIXTURES = {
    "frame_straddle.pkl": frame_straddle(True),
    "frame_straddle_twin.pkl": frame_straddle(False),
    # I010: strtol base 0 in C reads octal 8, int(s, 0) in pickle.py refuses a leading zero.
    "int_octal.pkl": b"I010\n.",
    "int_octal_twin.pkl": b"I10\n.",
}

for name, data in FIXTURES.items():
    with open(name, "wb") as f:
        f.write(data)
    views = [("loads", pickle.loads), ("load(file)", lambda d: pickle.load(io.BytesIO(d))), ("pickle.py", pickle._loads)]
    print(name + ": " + "; ".join(f"{label} -> {outcome(read, data)}" for label, read in views))
