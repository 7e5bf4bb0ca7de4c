package dev.safeload.model.compress.bundled;

import dev.safeload.model.compress.LibraryDecoders;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.XZInputStream;

/** The bundled libraries' decoders: a packed class, with the libraries it names ({@code Pack}). */
public final class BundledDecoders implements LibraryDecoders {

    public BundledDecoders() {
    }

    @Override
    public InputStream bzip2(InputStream in) throws IOException {
        return new BZip2CompressorInputStream(in, true);
    }

    @Override
    public InputStream xz(InputStream in, int memoryLimitKib) throws IOException {
        return new XZInputStream(in, memoryLimitKib);
    }

    @Override
    public InputStream lzma(InputStream in, int memoryLimitKib) throws IOException {
        return new LZMAInputStream(in, memoryLimitKib);
    }

    @Override
    public InputStream lz4(InputStream in) throws IOException {
        return new FramedLZ4CompressorInputStream(in, true);
    }

    @Override
    public InputStream zstd(InputStream in) {
        return new ZstdInputStream(in);
    }
}
