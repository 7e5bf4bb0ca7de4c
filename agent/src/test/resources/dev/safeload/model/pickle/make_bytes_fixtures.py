"""bytes and bytearray in pickles: what CPython writes (allowed) and calls it never writes (refused).

Run from this folder with plain python3. Protocols 0-2 have no bytes opcode, so CPython writes
b'' as builtins.bytes() (REDUCE with an empty tuple), other bytes as _codecs.encode(str,
'latin1'), and a bytearray as builtins.bytearray(<those bytes>). The DoS pickles call
bytes/bytearray with 10**12 (a terabyte); each is shown to reach that call in the real C
unpickler by a find_class that hands back a recorder instead of the real type (running the real
one would exhaust memory). Output with CPython 3.11.7:

    bytes_values_protocol0.pkl: loads -> OrderedDict([('empty', b''), ('data', b'xy\\xff'), ('empty_array', bytearray(b'')), ('array', bytearray(b'ab\\xff')), ('nested', [b'', (b'', bytearray(b''))])])
    bytes_values_protocol1.pkl: loads -> (same)
    bytes_values_protocol2.pkl: loads -> (same)
    bytes_huge_reduce.pkl: calls builtins.bytes(1000000000000)
    bytearray_huge_reduce.pkl: calls builtins.bytearray(1000000000000)
    bytes_huge_newobj.pkl: calls builtins.bytes.__new__(1000000000000)
    bytes_huge_newobj_ex.pkl: calls builtins.bytes.__new__(source=1000000000000)
"""
import collections
import io
import pickle

VALUES = collections.OrderedDict(empty=b"", data=b"xy\xff", empty_array=bytearray(b""),
                                 array=bytearray(b"ab\xff"), nested=[b"", (b"", bytearray())])
TERA = b"\x8a\x06\x00\x10\xa5\xd4\xe8\x00"  # LONG1 10**12

FIXTURES = {f"bytes_values_protocol{p}.pkl": pickle.dumps(VALUES, p) for p in (0, 1, 2)}
FIXTURES.update({
    # GLOBAL builtins.bytes; LONG1 10**12; TUPLE1; REDUCE
    "bytes_huge_reduce.pkl": b"\x80\x02c__builtin__\nbytes\n" + TERA + b"\x85R.",
    "bytearray_huge_reduce.pkl": b"\x80\x02c__builtin__\nbytearray\n" + TERA + b"\x85R.",
    # NEWOBJ: cls.__new__(cls, *args)
    "bytes_huge_newobj.pkl": b"\x80\x02c__builtin__\nbytes\n" + TERA + b"\x85\x81.",
    # NEWOBJ_EX (protocol 4): cls.__new__(cls, *(), **{'source': 10**12})
    "bytes_huge_newobj_ex.pkl": b"\x80\x04\x8c\x08builtins\x8c\x05bytes\x93)}\x8c\x06source" + TERA + b"s\x92.",
})


def describe(args, kwargs):
    return ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])


class RecordingUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        cls = super().find_class(module, name)
        if cls in (bytes, bytearray):
            qual = "builtins." + name

            class Fake:
                def __new__(klass, *args, **kwargs):
                    raise RuntimeError(f"calls {qual}.__new__({describe(args, kwargs)})")

            def fake(*args, **kwargs):
                raise RuntimeError(f"calls {qual}({describe(args, kwargs)})")

            return Fake if self.as_class else fake  # NEWOBJ insists on a type
        return cls


def outcome(name, data):
    if "huge" not in name:
        return "loads -> " + repr(pickle.loads(data))
    try:
        u = RecordingUnpickler(io.BytesIO(data))
        u.as_class = "newobj" in name
        u.load()
        return "loads without the call?"
    except RuntimeError as e:
        return str(e)


for name, data in FIXTURES.items():
    with open(name, "wb") as f:
        f.write(data)
    print(f"{name}: {outcome(name, data)}")
