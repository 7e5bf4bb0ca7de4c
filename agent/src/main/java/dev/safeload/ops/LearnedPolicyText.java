package dev.safeload.ops;

import dev.safeload.config.ConfigKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a learned policy as a reviewable Java properties file: one {@code serial.allow} entry
 * per line (continuation lines), described by a comment block above it, group by group.
 * Everything taken from a log is passed through {@link Printable}, so a class name cannot end
 * a comment and start a live entry.
 */
public final class LearnedPolicyText {

    private static final String MODEL_PINS_KEY = ConfigKey.MODEL_SHA256.key();

    private LearnedPolicyText() {
    }

    public static String render(PolicyLearner.Result r, BasePolicy base, List<Path> logs, Instant now) {
        StringBuilder out = new StringBuilder();
        out.append("# Safeload policy written by `safeload learn` at ").append(now).append('\n');
        out.append("# from ").append(logs.size()).append(logs.size() == 1 ? " log file" : " log files")
                .append(" (").append(r.events()).append(" events):\n");
        for (int i = 0; i < logs.size() && i < 10; i++) {
            out.append("#   ").append(Printable.text(logs.get(i).toString())).append('\n');
        }
        if (logs.size() > 10) {
            out.append("#   ... and ").append(logs.size() - 10).append(" more\n");
        }
        if (base.path() != null) {
            out.append("# based on ").append(Printable.text(base.path().toString()))
                    .append(": its other entries and comments follow as they were.\n");
        }
        out.append("#\n");
        out.append("# Review every entry before you enforce this policy. An audit log records every class a\n");
        out.append("# stream named, including any an attacker sent while the log was being recorded.\n");

        if (base.path() != null) {
            String kept = base.textWithout(Set.of(ConfigKey.SERIAL_ALLOW.key(), MODEL_PINS_KEY,
                    PolicyLearner.UNCONSTRUCTED, PolicyLearner.XML_METHODS));
            if (!kept.isBlank()) {
                out.append('\n').append(kept);
            }
        }
        serialAllow(out, r, base);
        for (PolicyLearner.DocumentKey k : r.documentKeys()) {
            documentKey(out, k, base);
        }
        modelPins(out, r, base);
        return out.toString();
    }

    /** {@code serial.allowWithoutConstructor} or {@code xmldecoder.allowMethods}: written when the base or the logs have entries. */
    private static void documentKey(StringBuilder out, PolicyLearner.DocumentKey k, BasePolicy base) {
        if (k.items().isEmpty() && k.learned().isEmpty()) {
            return;
        }
        int learned = k.items().size() - k.kept().size();
        out.append('\n');
        out.append("# ---- ").append(k.key()).append(": ").append(learned).append(learned == 1 ? " entry" : " entries")
                .append(" learned");
        if (!k.kept().isEmpty()) {
            out.append(", ").append(k.kept().size()).append(" kept from the base policy");
        }
        out.append(" ----\n");
        out.append(k.key().equals(PolicyLearner.UNCONSTRUCTED)
                ? "# Kryo and Hessian build these classes without running a constructor: check that none relies on it.\n"
                : "# XMLDecoder documents may call these methods: check that none writes a file, starts a process or loads code.\n");
        if (!k.kept().isEmpty()) {
            out.append("# kept from ").append(Printable.text(base.path().toString())).append(": ")
                    .append(Printable.text(String.join("; ", k.kept()))).append('\n');
        }
        for (PolicyLearner.DocumentEntry e : k.learned()) {
            out.append("#   ").append(e.written() ? "" : "not written: ").append(Printable.text(e.entry()));
            if (e.reason() != null) {
                out.append(": ").append(Printable.text(e.reason()));
            }
            out.append("; ").append(seen(e.seen())).append('\n');
        }
        list(out, k.key(), k.items(), "");
    }

    private static void serialAllow(StringBuilder out, PolicyLearner.Result r, BasePolicy base) {
        int learned = r.patterns().size() - r.kept().size();
        out.append('\n');
        out.append("# ---- serial.allow: ").append(learned).append(learned == 1 ? " pattern" : " patterns")
                .append(" learned");
        if (!r.kept().isEmpty()) {
            out.append(", ").append(r.kept().size()).append(" kept from the base policy");
        }
        out.append(" ----\n");
        out.append("# A '#' line inside a properties value would be part of the value, so this block describes\n");
        out.append("# the entries below in the order they appear.\n");
        if (!r.kept().isEmpty()) {
            out.append("#\n# kept from ").append(Printable.text(base.path().toString())).append(": ")
                    .append(String.join("; ", r.kept())).append('\n');
        }
        if (r.alreadyAllowed() > 0) {
            out.append("# ").append(r.alreadyAllowed()).append(r.alreadyAllowed() == 1 ? " class" : " classes")
                    .append(" from the logs the ").append(base.path() == null ? "built-in" : "base")
                    .append(" policy already allows: not repeated\n");
        }
        for (PolicyLearner.Group g : r.groups()) {
            long events = g.classes().stream().mapToLong(c -> c.seen().count()).sum();
            out.append("#\n# ").append(g.pkg().isEmpty() ? "(unnamed package)" : Printable.text(g.pkg()))
                    .append(": ").append(g.classes().size()).append(g.classes().size() == 1 ? " class, " : " classes, ")
                    .append(events).append(events == 1 ? " event" : " events");
            if (g.widenedTo() != null) {
                out.append("; widened to ").append(g.widenedTo());
            }
            if (g.notWidened() != null) {
                out.append("; not widened: ").append(g.notWidened());
            }
            out.append('\n');
            for (PolicyLearner.Candidate c : g.classes()) {
                String seen = seen(c.seen());
                if (c.dangerous() == null) {
                    out.append("#   ").append(c.className()).append(": ").append(seen).append('\n');
                } else if (c.allowed()) {
                    out.append("#   WARNING: DANGEROUS, allowed by --allow-dangerous: ").append(c.className())
                            .append(": ").append(c.dangerous().reason()).append("; ").append(seen).append('\n');
                } else {
                    out.append("#   DANGEROUS: ").append(c.className()).append(": ").append(c.dangerous().reason())
                            .append("; ").append(seen).append("; not allowed\n");
                }
            }
        }
        if (!r.rejected().isEmpty()) {
            out.append("#\n# Not allowed:\n");
            for (PolicyLearner.Rejected x : r.rejected()) {
                out.append("#   \"").append(Printable.text(x.seen().loggedName())).append("\": ").append(x.reason())
                        .append("; ").append(seen(x.seen())).append('\n');
            }
        }
        if (!r.notLearned().isEmpty()) {
            out.append("#\n# Not learned (limits are set by hand, for data you trust):");
            for (Map.Entry<String, Long> e : r.notLearned().entrySet()) {
                out.append(' ').append(Printable.text(e.getKey())).append(' ').append(e.getValue())
                        .append(e.getValue() == 1 ? " event;" : " events;");
            }
            out.setLength(out.length() - 1);
            out.append('\n');
        }
        list(out, "serial.allow", r.patterns(), "");
    }

    private static void modelPins(StringBuilder out, PolicyLearner.Result r, BasePolicy base) {
        List<String> pins = new ArrayList<>(base.items(MODEL_PINS_KEY));
        int kept = pins.size();
        for (PolicyLearner.Pin p : r.pins()) {
            if (p.allowed() && !pins.contains(p.sha256())) {
                pins.add(p.sha256());
            }
        }
        if (pins.isEmpty() && r.pins().isEmpty()) {
            return;
        }
        out.append('\n');
        int learned = pins.size() - kept;
        out.append("# ---- ").append(MODEL_PINS_KEY).append(": ").append(learned)
                .append(learned == 1 ? " model digest" : " model digests").append(" learned");
        if (kept > 0) {
            out.append(", ").append(kept).append(" kept from the base policy");
        }
        out.append(" ----\n");
        out.append("# A pinned file loads without any check: pin only files you trust as they are.\n");
        if (kept > 0) {
            out.append("# kept from ").append(Printable.text(base.path().toString())).append(": ")
                    .append(String.join("; ", base.items(MODEL_PINS_KEY))).append('\n');
        }
        for (PolicyLearner.Pin p : r.pins()) {
            out.append("#   ");
            if (p.blocked()) {
                out.append(p.allowed() ? "WARNING: DANGEROUS, pinned by --allow-dangerous: " : "DANGEROUS: ");
            }
            out.append(p.sha256()).append(": ")
                    .append(Printable.text(p.paths().isEmpty() ? "(no file.path)" : String.join(", ", p.paths())));
            if (!p.formats().isEmpty()) {
                out.append(" (").append(Printable.text(String.join(", ", p.formats()))).append(')');
            }
            out.append(':');
            for (Map.Entry<String, Long> a : p.actions().entrySet()) {
                out.append(' ').append(Printable.text(a.getKey())).append(' ').append(a.getValue());
            }
            out.append("; first in ").append(Printable.text(p.firstWhere()));
            if (p.blocked()) {
                out.append("; the model gate would block it (")
                        .append(Printable.text(String.join(", ", p.rules()))).append(')')
                        .append(p.allowed() ? "" : "; not pinned");
            }
            out.append('\n');
        }
        list(out, MODEL_PINS_KEY, pins, "");
    }

    /** {@code key=\} then one item per line, {@code ;\} between them; {@code prefix} comments every line out. */
    private static void list(StringBuilder out, String key, List<String> items, String prefix) {
        out.append(prefix).append(key).append('=');
        for (int i = 0; i < items.size(); i++) {
            out.append("\\\n").append(prefix).append("    ").append(items.get(i));
            if (i < items.size() - 1) {
                out.append(';');
            }
        }
        out.append('\n');
    }

    private static String seen(PolicyLearner.Observation o) {
        return o.count() + (o.count() == 1 ? " event" : " events") + ", first " + o.first() + " at "
                + Printable.text(o.firstCallSite()) + " (" + Printable.text(o.firstWhere()) + ")";
    }
}
