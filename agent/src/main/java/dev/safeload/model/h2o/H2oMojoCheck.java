package dev.safeload.model.h2o;

import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.compress.ZipIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks H2O MOJOs: a zip with {@code model.ini} at its root. h2o-genmodel reads one two ways,
 * through {@code java.util.zip.ZipFile} (central directory) for a file and through
 * {@code ZipInputStream} (local headers, last entry of a name wins) for a stream or URL; an
 * archive on which those views differ is refused. Every {@code model.ini} (nested models have
 * their own) must name a built-in algorithm and only paths inside the MOJO. The other entries
 * are numbers the readers decode themselves; none is deserialized.
 */
public final class H2oMojoCheck implements FormatCheck, ContentSniff {

    /** A model.ini is a few kilobytes; large ones list many columns. */
    static final int MAX_INI_BYTES = 16 << 20;

    @Override
    public String format() {
        return "h2o-mojo";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return false;
    }

    @Override
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        if (!ZipIndex.isZip(source, head)) {
            return false;
        }
        for (ZipIndex.Entry e : ZipIndex.read(source).central()) {
            if (e.name().equals("model.ini")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        ZipIndex index = ZipIndex.read(source);
        // Duplicate names are the shared reader's zip.ambiguous finding (visit reports it).
        Set<String> names = new HashSet<>();
        for (ZipIndex.Entry e : index.central()) {
            names.add(e.name());
        }
        List<String[]> inis = new ArrayList<>();
        index.visit(source, ModelScanner.budget(context), findings, (entry, content, problem) -> {
            String where = source.name() + "!/" + entry.name();
            if (problem != null) {
                findings.add(new Finding("h2o.mojo.entry", Severity.HIGH, where, problem));
                return;
            }
            if (!entry.inCentral() || entry.localName() != null) {
                findings.add(new Finding("h2o.mojo.zip.divergent", Severity.HIGH, where, "the local header"
                        + (entry.inCentral() ? " names it '" + entry.localName() + "'" : " is not in the central directory")
                        + ": a MOJO read from a stream (ZipInputStream) differs from one read from a file (ZipFile)"));
                return;
            }
            if (entry.name().equals("model.ini") || entry.name().endsWith("/model.ini")) {
                if (content.size() > MAX_INI_BYTES) {
                    findings.add(new Finding("h2o.mojo.ini.too-large", Severity.HIGH, where,
                            "model.ini of " + content.size() + " bytes; larger than " + MAX_INI_BYTES + " is not read"));
                    return;
                }
                byte[] bytes = ModelSources.readAt(content, 0, (int) content.size());
                String prefix = entry.name().substring(0, entry.name().length() - "model.ini".length());
                inis.add(new String[] {new String(bytes, StandardCharsets.UTF_8), prefix, where});
            }
        });
        for (String[] ini : inis) {
            MojoIni.inspect(ini[0], ini[1], names::contains, ini[2], findings);
        }
        return findings;
    }

    /** Whether {@code folder} is an unpacked MOJO, as {@code FolderMojoReaderBackend} reads one. */
    public static boolean isMojoFolder(Path folder) {
        return Files.isDirectory(folder) && Files.isRegularFile(folder.resolve("model.ini"), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Checks an unpacked MOJO folder: its {@code model.ini} files as in an archive, with entries
     * looked up as the folder reader opens them, never through a symbolic link.
     */
    public static List<Finding> checkFolder(Path folder) throws IOException {
        List<Finding> findings = new ArrayList<>();
        Path root = folder.toRealPath();
        List<Path> inis;
        List<Path> links;
        try (var walk = Files.walk(root)) {
            links = walk.filter(Files::isSymbolicLink).sorted().toList();
        }
        for (Path link : links) {
            findings.add(new Finding("h2o.mojo.path.escape", Severity.HIGH, link.toString(), "symbolic link in a MOJO"
                    + " folder: the reader follows it wherever it leads"));
        }
        try (var walk = Files.walk(root)) {
            inis = walk.filter(p -> p.getFileName().toString().equals("model.ini")).sorted().toList();
        }
        for (Path ini : inis) {
            if (Files.size(ini) > MAX_INI_BYTES || !Files.isRegularFile(ini, LinkOption.NOFOLLOW_LINKS)) {
                findings.add(new Finding("h2o.mojo.ini.too-large", Severity.HIGH, ini.toString(),
                        "model.ini is not a plain file of at most " + MAX_INI_BYTES + " bytes"));
                continue;
            }
            String prefix = root.relativize(ini.getParent()).toString().replace('\\', '/');
            prefix = prefix.isEmpty() ? "" : prefix + "/";
            MojoIni.inspect(new String(Files.readAllBytes(ini), StandardCharsets.UTF_8), prefix,
                    name -> Files.isRegularFile(root.resolve(name), LinkOption.NOFOLLOW_LINKS), ini.toString(), findings);
        }
        return findings;
    }
}
