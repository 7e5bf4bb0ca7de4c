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
    public InputStream zstd(InputStream in) throws IOException {
        try {
            // Its first read would initialise the class that takes Unsafe; here the failure gets a reason.
            Class.forName("io.airlift.compress.zstd.UnsafeUtil", true, BundledDecoders.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // A library version without that class: nothing to say in advance; the decoder's own error stands.
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            // aircompressor reads through sun.misc.Unsafe, which a JDK started with
            // --sun-misc-unsafe-memory-access=deny refuses (JEP 498; the default from some later JDK on).
            throw new IOException("the zstd decoder (aircompressor) needs sun.misc.Unsafe's memory access,"
                    + " which this JVM denies (--sun-misc-unsafe-memory-access)", e);
        }
        return new ZstdInputStream(in);
    }
}
