package dev.safeload.model.compress;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The decoders behind {@link Codec#open}, apart from it so that sniffing loads none of them: the
 * verifier of a method that returns {@code new BZip2CompressorInputStream(..)} as an
 * {@code InputStream} loads that class and its supertypes, and every scan sniffs every codec.
 */
final class Decoders {

    private Decoders() {
    }

    static InputStream gzip(InputStream in) throws IOException {
        return new GZIPInputStream(in, 64 * 1024);
    }

    static InputStream bzip2(InputStream in) throws IOException {
        return new BZip2CompressorInputStream(in, true);
    }

    static InputStream xz(InputStream in) throws IOException {
        return new XZInputStream(in, Codec.MEMORY_LIMIT_KIB);
    }

    static InputStream lzma(InputStream in) throws IOException {
        return new LZMAInputStream(in, Codec.MEMORY_LIMIT_KIB);
    }

    static InputStream lz4(InputStream in) throws IOException {
        return new FramedLZ4CompressorInputStream(in, true);
    }

    static InputStream zstd(InputStream in) {
        return new ZstdInputStream(in);
    }
}
