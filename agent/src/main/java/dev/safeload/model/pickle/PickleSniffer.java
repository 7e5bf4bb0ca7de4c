package dev.safeload.model.pickle;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.policy.ClassPatterns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.WeakHashMap;

/** Recognises pickles, and the pickle-based formats that need their own reading, by content. */
public final class PickleSniffer {

    /** The first pickle of a legacy {@code torch.save} file holds this number. */
    public static final BigInteger TORCH_LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private static final PickleImports NOTHING = new PickleImports(ClassPatterns.empty(), ClassPatterns.empty());
    private static final byte[] JOBLIB_MARK = "joblib.numpy_pickle".getBytes(StandardCharsets.US_ASCII);
    private static final Map<ModelSource, Boolean> JOBLIB_SEEN = new WeakHashMap<>();

    private PickleSniffer() {
    }

    /**
     * Whether {@code head} starts a pickle: a PROTO opcode (protocol 2 and later), or, for
     * protocols 0 and 1 which have no header, opcodes that run cleanly to STOP or to the end of
     * the head.
     */
    public static boolean looksLikePickle(byte[] head, long size) {
        if (head.length == 0) {
            return false;
        }
        PickleMachine.Outcome o = trial(head);
        if ((head[0] & 0xff) == 0x80) {
            // PROTO, then opcodes that make sense for a while: a safetensors header length of
            // 0x280 also starts 80 02. A pickle cut short or broken after its first few opcodes
            // is still claimed, so that it is reported as a broken pickle; one broken at once is
            // blocked as unknown content instead.
            int proto = head.length > 1 ? head[1] & 0xff : -1;
            return proto <= 5 && (o.complete() || PickleMachine.RULE_TRUNCATED.equals(o.error())
                    || o.end() - o.start() >= 8);
        }
        if (o.complete()) {
            return true;
        }
        // A long pickle cut off by the head: fine as long as nothing was wrong before the cut.
        return head.length < size && PickleMachine.RULE_TRUNCATED.equals(o.error()) && o.end() > 16;
    }

    /** Whether the file starts with the magic-number pickle of a legacy {@code torch.save}. */
    public static boolean isTorchLegacy(byte[] head) {
        if (head.length < 3 || (head[0] & 0xff) != 0x80) {
            return false;
        }
        PickleMachine.Outcome o = trial(head);
        return o.complete() && TORCH_LEGACY_MAGIC.equals(o.value());
    }

    /**
     * Whether a pickle names joblib's array module anywhere: joblib.dump wrote it, and array
     * bytes follow its wrappers. The first array can come megabytes in (after a vocabulary),
     * so the whole file is searched; the answer is remembered for the other checks' sniffs.
     */
    public static boolean isJoblib(ModelSource source, byte[] head) throws IOException {
        if (head.length < 2 || (head[0] & 0xff) != 0x80) {
            return false;
        }
        synchronized (JOBLIB_SEEN) {
            Boolean known = JOBLIB_SEEN.get(source);
            if (known != null) {
                return known;
            }
        }
        boolean found = indexOf(head, head.length, JOBLIB_MARK) >= 0;
        if (!found && head.length < source.size()) {
            byte[] buf = new byte[1 << 20];
            int overlap = JOBLIB_MARK.length - 1;
            for (long at = 0; !found && at < source.size(); at += buf.length - overlap) {
                int n = 0;
                while (n < buf.length) {
                    int r = source.read(at + n, buf, n, buf.length - n);
                    if (r <= 0) {
                        break;
                    }
                    n += r;
                }
                found = indexOf(buf, n, JOBLIB_MARK) >= 0;
                if (n < buf.length) {
                    break;
                }
            }
        }
        synchronized (JOBLIB_SEEN) {
            JOBLIB_SEEN.put(source, found);
        }
        return found;
    }

    private static int indexOf(byte[] b, int len, byte[] mark) {
        outer:
        for (int i = 0; i + mark.length <= len; i++) {
            for (int j = 0; j < mark.length; j++) {
                if (b[i + j] != mark[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static PickleMachine.Outcome trial(byte[] head) {
        try {
            PickleMachine m = new PickleMachine(NOTHING, PickleMachine.Limits.DEFAULTS, new ArrayList<Finding>()).lenient(true);
            return m.run(new PickleInput(ModelSource.of("head", head, null), 0), "head");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
