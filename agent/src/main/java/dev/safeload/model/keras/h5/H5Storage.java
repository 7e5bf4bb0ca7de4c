package dev.safeload.model.keras.h5;

import dev.safeload.model.Finding;
import dev.safeload.model.Severity;
import io.jhdf.AbstractNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.api.Node;
import io.jhdf.links.ExternalLink;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds HDF5 objects whose bytes live outside the file: external links (link type 64),
 * datasets with an External Data Files message (0x0007) and virtual datasets (layout class 3).
 * h5py follows all three on an ordinary read, so a weight named in a Keras file would be
 * filled from any local file the process can read. Every linked object header is parsed, which
 * is where jHDF meets those messages; jHDF rejects the last two by name, and any other header
 * it cannot read is a finding too, since what it hides is unknown.
 */
final class H5Storage {

    /** Keras models have thousands of objects; past this the walk stops and says so. */
    static final int MAX_OBJECTS = 200_000;

    private final String name;
    private final List<Finding> findings;
    private final Set<Long> visited = new HashSet<>();

    private H5Storage(String name, List<Finding> findings) {
        this.name = name;
        this.findings = findings;
    }

    /** Adds a finding for every object of {@code hdf} that reads storage outside it. */
    static void inspect(HdfFile hdf, String name, List<Finding> findings) {
        new H5Storage(name, findings).walk(hdf);
    }

    private void walk(HdfFile hdf) {
        Deque<Group> groups = new ArrayDeque<>();
        groups.push(hdf);
        visited.add(hdf.getAddress());
        int objects = 0;
        while (!groups.isEmpty()) {
            Group group = groups.pop();
            java.util.Collection<Node> children;
            try {
                children = group.getChildren().values();
            } catch (RuntimeException e) {
                unreadable(group.getPath(), e);
                continue;
            }
            for (Node child : children) {
                if (++objects > MAX_OBJECTS) {
                    findings.add(new Finding("keras.h5.too-many-objects", Severity.HIGH, name,
                            "more than " + MAX_OBJECTS + " objects; the rest are not checked for outside storage"));
                    return;
                }
                String where = name + "!" + child.getPath();
                if (child instanceof ExternalLink link) {
                    findings.add(new Finding("keras.h5.external-link", Severity.CRITICAL, where,
                            "external link to \"" + clip(link.getTargetPath()) + "\": reading it opens that"
                                    + " other HDF5 file, outside this one, and loads its data as a weight"));
                    continue;
                }
                if (child instanceof Link) {
                    continue; // a soft link names a path inside this file, which is walked anyway
                }
                if (!visited.add(child.getAddress())) {
                    continue; // a hard link to an object already seen; groups may even form cycles
                }
                try {
                    if (child instanceof AbstractNode node) {
                        node.getHeader().getMessages(); // every message of the header, continuations too
                    }
                    if (child instanceof Group g) {
                        groups.push(g);
                    }
                } catch (RuntimeException e) {
                    unreadable(child.getPath(), e);
                }
            }
        }
    }

    /**
     * A header jHDF will not read. jHDF names the two outside-storage kinds it refuses (its
     * {@code UnsupportedHdfException} messages); those get their own rule.
     */
    private void unreadable(String path, RuntimeException e) {
        String where = name + "!" + path;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("External Data Files")) {
                findings.add(new Finding("keras.h5.external-file", Severity.CRITICAL, where,
                        "dataset stored in external files (External Data Files message): h5py reads its"
                                + " bytes from files outside this one, any local file an attacker names"));
                return;
            }
            if (message.contains("Virtual storage")) {
                findings.add(new Finding("keras.h5.virtual-dataset", Severity.CRITICAL, where,
                        "virtual dataset (layout class 3): h5py assembles it from datasets in other files,"
                                + " outside this one"));
                return;
            }
        }
        findings.add(new Finding("keras.h5.unreadable", Severity.HIGH, where,
                "object header cannot be read, so what storage it uses cannot be checked: " + e));
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
