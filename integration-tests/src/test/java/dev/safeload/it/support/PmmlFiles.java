package dev.safeload.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** PMML fixtures: a linear regression y = 1 + 2x, and a service archive that PMMLUtil.load(URL) would run. */
public final class PmmlFiles {

    private PmmlFiles() {
    }

    public static String regression() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<PMML xmlns=\"http://www.dmg.org/PMML-4_4\" version=\"4.4\">\n<Header/>\n"
                + "<DataDictionary><DataField name=\"x\" optype=\"continuous\" dataType=\"double\"/>"
                + "<DataField name=\"y\" optype=\"continuous\" dataType=\"double\"/></DataDictionary>\n"
                + "<RegressionModel functionName=\"regression\"><MiningSchema><MiningField name=\"x\"/>"
                + "<MiningField name=\"y\" usageType=\"target\"/></MiningSchema>"
                + "<RegressionTable intercept=\"1\"><NumericPredictor name=\"x\" coefficient=\"2\"/></RegressionTable>"
                + "</RegressionModel>\n</PMML>\n";
    }

    /** A jar naming {@code serviceClass} as its {@code org.dmg.pmml.PMML} service, with that class's bytes inside. */
    public static Path serviceJar(Path jar, Class<?> serviceClass) throws IOException {
        String classFile = serviceClass.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             InputStream bytes = serviceClass.getClassLoader().getResourceAsStream(classFile)) {
            out.putNextEntry(new JarEntry("META-INF/services/org.dmg.pmml.PMML"));
            out.write((serviceClass.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry(classFile));
            bytes.transferTo(out);
        }
        return jar;
    }
}
