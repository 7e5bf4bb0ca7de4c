package dev.safeload.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The files that sit beside every model in a model folder and are no model: read-me and
 * licence texts, JSON configurations and tokenizers, vocabularies. A scan reports them as
 * skipped instead of blocking them as an unknown format.
 *
 * <p>The name only says which check to run; the content decides. A file is skipped only when
 * no model check claimed it and its whole content is plain text (valid UTF-8, no control
 * characters but tab, line feed, carriage return and form feed) or, for {@code .json}, one
 * well-formed JSON document. So a pickle or zip renamed {@code config.json} is still checked
 * and blocked. YAML is deliberately not on the list: Java YAML loaders can instantiate classes.
 */
final class CompanionFiles {

    /** Larger files are not read to the end to prove they are text; they stay unknown and block. */
    static final long MAX_BYTES = 256L << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private enum Kind {
        MARKDOWN("Markdown text"), LICENCE("licence text"), TEXT("plain text"), GIT("Git metadata text"),
        JSON("JSON document");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    private CompanionFiles() {
    }

    /**
     * Why {@code file} is skipped, or null when it must be checked as a model (an unknown name,
     * or content that is not what the name says).
     */
    static String skipReason(Path file) {
        Kind kind = kindByName(file.getFileName().toString());
        if (kind == null) {
            return null;
        }
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                return null;
            }
            boolean plain = kind == Kind.JSON ? isOneJsonDocument(file) : isPlainText(file);
            return plain ? kind.description + ", no model format; content checked to be plain "
                    + (kind == Kind.JSON ? "JSON" : "UTF-8 text") : null;
        } catch (IOException e) {
            return null; // the model checks report what cannot be read
        }
    }

    private static Kind kindByName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("license") || lower.startsWith("licence") || lower.startsWith("copying")
                || lower.startsWith("notice")) {
            return Kind.LICENCE;
        }
        if (lower.endsWith(".md") || lower.endsWith(".markdown")) {
            return Kind.MARKDOWN;
        }
        if (lower.equals(".gitattributes") || lower.equals(".gitignore")) {
            return Kind.GIT;
        }
        if (lower.endsWith(".txt")) {
            return Kind.TEXT;
        }
        if (lower.endsWith(".json")) {
            return Kind.JSON;
        }
        return null;
    }

    private static boolean isPlainText(Path file) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        CharBuffer out = CharBuffer.allocate(64 * 1024);
        try (InputStream stream = Files.newInputStream(file)) {
            boolean end = false;
            while (!end) {
                int n = stream.read(in.array(), in.position(), in.remaining());
                if (n < 0) {
                    end = true;
                } else {
                    in.position(in.position() + n);
                }
                in.flip();
                if (utf8.decode(in, out, end).isError()) {
                    return false;
                }
                in.compact();
                if (!plainChars(out)) {
                    return false;
                }
            }
            return !utf8.flush(out).isError() && plainChars(out);
        }
    }

    private static boolean plainChars(CharBuffer out) {
        out.flip();
        while (out.hasRemaining()) {
            char c = out.get();
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) {
                return false;
            }
        }
        out.clear();
        return true;
    }

    private static boolean isOneJsonDocument(Path file) throws IOException {
        if (!isPlainText(file)) {
            return false; // also rules out the UTF-16/32 encodings a JSON parser would accept
        }
        try (JsonParser p = JSON.createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (CharacterCodingException e) {
            return false;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return false;
        }
    }
}
