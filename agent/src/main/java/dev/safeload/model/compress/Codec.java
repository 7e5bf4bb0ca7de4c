package dev.safeload.model.compress;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.InflaterInputStream;

/**
 * The compressions model files come in (joblib's {@code compress=} options, {@code .pkl.gz}),
 * each with its magic bytes and a streaming decoder.
 */
public enum Codec {
    GZIP("gzip", 0) {
        @Override
        boolean matches(byte[] h) {
            return starts(h, 0x1f, 0x8b);
        }

        @Override
        InputStream open(InputStream in) throws IOException {
            return Decoders.gzip(in);
        }
    },
    BZ2("bz2", 0) {
        @Override
        boolean matches(byte[] h) {
            return starts(h, 'B', 'Z', 'h') && h.length > 3 && h[3] >= '1' && h[3] <= '9';
        }

        @Override
        InputStream open(InputStream in) throws IOException {
            return Decoders.libraries().bzip2(in);
        }
    },
    XZ("xz", 0) {
        @Override
        boolean matches(byte[] h) {
            return starts(h, 0xfd, '7', 'z', 'X', 'Z', 0);
        }

        @Override
        InputStream open(InputStream in) throws IOException {
            return Decoders.libraries().xz(in, MEMORY_LIMIT_KIB);
        }
    },
    /** The legacy {@code .lzma} container (what joblib writes for {@code compress='lzma'}). */
    LZMA("lzma", 0) {
        @Override
        boolean matches(byte[] h) {
            return starts(h, 0x5d, 0, 0);
        }

        @Override
        InputStream open(InputStream in) throws IOException {
            return Decoders.libraries().lzma(in, MEMORY_LIMIT_KIB);
        }
    },
    ZLIB("zlib", 0) {
        @Override
        boolean matches(byte[] h) {
            // 0x78: deflate with the 32 KiB window every zlib writer uses; "(S" of a protocol 0
            // pickle would pass the checksum alone.
            return h.length >= 2 && (h[0] & 0xff) == 0x78 && ((0x78 << 8) | (h[1] & 0xff)) % 31 == 0;
        }

        @Override
        InputStream open(InputStream in) {
            return new InflaterInputStream(in);
        }
    },
    LZ4("lz4", 0) {
        @Override
        boolean matches(byte[] h) {
            return starts(h, 0x04, 0x22, 0x4d, 0x18);
        }

        @Override
        InputStream open(InputStream in) throws IOException {
            return Decoders.libraries().lz4(in);
        }
    },
    ZSTD("zstd", 0) {
        @Override
        boolean matches(byte[] h) {
            return starts(h, 0x28, 0xb5, 0x2f, 0xfd);
        }

        @Override
        InputStream open(InputStream in) throws IOException {
            return Decoders.libraries().zstd(in);
        }
    },
    /** joblib before 0.10: {@code ZF}, the length in hex padded to 19 bytes, then zlib. */
    JOBLIB_ZFILE("joblib-zfile", 21) {
        @Override
        boolean matches(byte[] h) {
            return starts(h, 'Z', 'F', '0', 'x');
        }

        @Override
        InputStream open(InputStream in) {
            return new InflaterInputStream(in);
        }
    };

    /**
     * Decoders that need a dictionary (xz, lzma) may use this much memory, in KiB: the 64 MiB
     * dictionary of preset 9, the largest xz and Python's lzma write, and the decoder's own
     * state. The dictionary is allocated from the header alone, so a 21-byte file asking for
     * more would otherwise take that much of the host's heap before a byte is decoded.
     */
    static final int MEMORY_LIMIT_KIB = 72 * 1024;

    private final String id;
    private final int header;

    Codec(String id, int header) {
        this.id = id;
        this.header = header;
    }

    /** The format id in results and {@code model.allowFormats}. */
    public String id() {
        return id;
    }

    /** Bytes before the compressed stream starts. */
    int header() {
        return header;
    }

    abstract boolean matches(byte[] head);

    abstract InputStream open(InputStream in) throws IOException;

    private static boolean starts(byte[] h, int... magic) {
        if (h.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((h[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
