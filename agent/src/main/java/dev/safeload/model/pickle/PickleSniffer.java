package dev.safeload.model.pickle;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.policy.ClassPatterns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/** Recognises pickles, and the pickle-based formats that need their own reading, by content. */
public final class PickleSniffer {

    /** The first pickle of a legacy {@code torch.save} file holds this number. */
    public static final BigInteger TORCH_LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private static final PickleImports NOTHING = new PickleImports(ClassPatterns.empty(), ClassPatterns.empty());
    private static final byte[] JOBLIB_MARK = "joblib.numpy_pickle".getBytes(StandardCharsets.US_ASCII);

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

    /** Whether a pickle mentions joblib's array wrapper in its head: joblib.dump wrote it. */
    public static boolean isJoblib(byte[] head) {
        if (head.length < 2 || (head[0] & 0xff) != 0x80) {
            return false;
        }
        outer:
        for (int i = 0; i + JOBLIB_MARK.length <= head.length; i++) {
            for (int j = 0; j < JOBLIB_MARK.length; j++) {
                if (head[i + j] != JOBLIB_MARK[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
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
