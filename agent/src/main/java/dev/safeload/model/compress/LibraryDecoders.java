package dev.safeload.model.compress;

import java.io.IOException;
import java.io.InputStream;

/**
 * The decoders {@link Codec#open} takes from the bundled libraries (Commons Compress, XZ for Java,
 * aircompressor): implemented by {@code bundled.BundledDecoders}, a packed class ({@code Pack}),
 * so the core names none of the libraries' classes.
 */
public interface LibraryDecoders {

    InputStream bzip2(InputStream in) throws IOException;

    InputStream xz(InputStream in, int memoryLimitKib) throws IOException;

    InputStream lzma(InputStream in, int memoryLimitKib) throws IOException;

    InputStream lz4(InputStream in) throws IOException;

    InputStream zstd(InputStream in) throws IOException;
}
