package dev.safeload.model.pmml;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Checks PMML documents as JPMML reads them ({@code PMMLUtil.unmarshal}, the evaluator's
 * {@code LoadingModelEvaluatorBuilder}): namespace-aware XML with no document type declaration
 * at all (JPMML's own parser refuses one; any other parser could fetch external entities), a
 * {@code PMML} root in a DMG namespace, and no {@code Apply} of a function named like a Java
 * class, which JPMML's {@code FunctionRegistry} loads from the class path and instantiates.
 */
public final class PmmlCheck implements FormatCheck {

    private static final String DMG = "http://www.dmg.org/PMML-";
    private static final int MAX_FINDINGS = 16;

    @Override
    public String format() {
        return "pmml";
    }

    /** XML (optionally after a byte-order mark) whose head opens a {@code PMML} element. */
    @Override
    public boolean sniff(byte[] head, long size) {
        int i = head.length >= 3 && (head[0] & 0xff) == 0xef && (head[1] & 0xff) == 0xbb && (head[2] & 0xff) == 0xbf ? 3 : 0;
        while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
            i++;
        }
        if (i >= head.length || head[i] != '<') {
            return false;
        }
        String text = new String(head, i, head.length - i, StandardCharsets.ISO_8859_1);
        return text.contains("<PMML") || text.contains(":PMML");
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        // In Handler: sniffing every file loads this class, and the SAX types its verifier
        // would load for the parse and its catch clauses are needed only for a PMML document.
        return Handler.judge(source);
    }

    /** Judges elements as they stream past; nothing of the document is kept. */
    private static final class Handler extends DefaultHandler {
        private final String where;
        private final List<Finding> findings;
        private boolean first = true;
        boolean root;
        private org.xml.sax.Locator locator;

        static List<Finding> judge(ModelSource source) throws IOException {
            List<Finding> findings = new ArrayList<>();
            String where = source.name();
            Handler handler = new Handler(where, findings);
            try (InputStream in = ModelSources.stream(source, 0)) {
                parser().parse(in, handler);
            } catch (SAXParseException e) {
                String what = e.getMessage() != null && e.getMessage().contains("DOCTYPE")
                        ? "a document type declaration: JPMML refuses it, and another XML reader would expand its"
                        + " entities, which can read local files (XXE)" : "not well-formed XML: " + e.getMessage();
                findings.add(new Finding(e.getMessage() != null && e.getMessage().contains("DOCTYPE") ? "pmml.doctype"
                        : "pmml.malformed", Severity.HIGH, where + ":" + e.getLineNumber(), what));
                return findings;
            } catch (SAXException | ParserConfigurationException e) {
                findings.add(new Finding("pmml.malformed", Severity.HIGH, where, "cannot be read as XML: " + e.getMessage()));
                return findings;
            }
            if (!handler.root) {
                findings.add(new Finding("pmml.structure", Severity.HIGH, where, "the root element is not PMML in a "
                        + DMG + "* namespace"));
            }
            return findings;
        }

        private static SAXParser parser() throws ParserConfigurationException, SAXException {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return factory.newSAXParser();
        }

        Handler(String where, List<Finding> findings) {
            this.where = where;
            this.findings = findings;
        }

        @Override
        public void setDocumentLocator(org.xml.sax.Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            if (first) {
                first = false;
                root = "PMML".equals(localName) && uri != null && uri.startsWith(DMG);
            }
            if ("Apply".equals(localName)) {
                String function = attributes.getValue("function");
                if (function != null && function.indexOf('.') > 0 && findings.size() < MAX_FINDINGS) {
                    findings.add(new Finding("pmml.java-function", Severity.HIGH, where + ":" + line(),
                            "Apply names the Java class '" + clip(function) + "': JPMML loads and instantiates it"
                                    + " from the class path; a model may only call PMML's own functions"));
                }
            }
        }

        private int line() {
            return locator == null ? -1 : locator.getLineNumber();
        }
    }

    private static String clip(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
