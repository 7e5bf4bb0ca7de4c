package dev.safeload.model.compress;

import dev.safeload.pack.Pack;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * The decoders behind {@link Codec#open}, apart from it so that sniffing loads none of them: the
 * verifier of a method that returns {@code new BZip2CompressorInputStream(..)} as an
 * {@code InputStream} loads that class and its supertypes, and every scan sniffs every codec. The
 * libraries' decoders are packed classes, made at the first file that needs one.
 */
final class Decoders {

    private Decoders() {
    }

    static InputStream gzip(InputStream in) throws IOException {
        return new GZIPInputStream(in, 64 * 1024);
    }

    static LibraryDecoders libraries() {
        return Libraries.DECODERS;
    }

    private static final class Libraries {
        static final LibraryDecoders DECODERS = Pack.instance(LibraryDecoders.class,
                "dev.safeload.model.compress.bundled.BundledDecoders");
    }
}
