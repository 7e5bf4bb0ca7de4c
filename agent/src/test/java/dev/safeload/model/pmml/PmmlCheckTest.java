package dev.safeload.model.pmml;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PMML documents as JPMML 1.7 reads them; the same model is run by the real evaluator in ModelLibraryHooksTest. */
class PmmlCheckTest {

    static String pmml(String prolog, String transformations) {
        return prolog + "<PMML xmlns=\"http://www.dmg.org/PMML-4_4\" version=\"4.4\">\n<Header/>\n"
                + "<DataDictionary><DataField name=\"x\" optype=\"continuous\" dataType=\"double\"/>"
                + "<DataField name=\"y\" optype=\"continuous\" dataType=\"double\"/></DataDictionary>\n"
                + transformations
                + "<RegressionModel functionName=\"regression\"><MiningSchema><MiningField name=\"x\"/>"
                + "<MiningField name=\"y\" usageType=\"target\"/></MiningSchema>"
                + "<RegressionTable intercept=\"1\"><NumericPredictor name=\"x\" coefficient=\"2\"/></RegressionTable>"
                + "</RegressionModel>\n</PMML>\n";
    }

    private static ScanResult scanText(String text) {
        return scan("model.pmml", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void allowsRegressionModel() {
        ScanResult r = scanText(pmml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", ""));
        assertAllowed(r);
        assertEquals(List.of("pmml"), r.formats());
        assertAllowed(scanText(pmml("", "<TransformationDictionary><DerivedField name=\"x2\" optype=\"continuous\""
                + " dataType=\"double\"><Apply function=\"*\"><FieldRef field=\"x\"/><Constant>2</Constant></Apply>"
                + "</DerivedField></TransformationDictionary>")));
    }

    @Test
    void refusesDocumentTypeDeclaration() {
        String xxe = pmml("<?xml version=\"1.0\"?>\n<!DOCTYPE PMML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n", "");
        assertBlocked(scanText(xxe), "pmml.doctype", Severity.HIGH);
    }

    @Test
    void refusesApplyOfJavaClass() {
        String java = pmml("", "<TransformationDictionary><DerivedField name=\"x2\" optype=\"continuous\""
                + " dataType=\"double\"><Apply function=\"com.acme.RunsCode\"><FieldRef field=\"x\"/></Apply>"
                + "</DerivedField></TransformationDictionary>");
        assertBlocked(scanText(java), "pmml.java-function", Severity.HIGH);
    }

    @Test
    void refusesRootThatIsNotPmml() {
        assertBlocked(scanText("<PMML version=\"4.4\"><Header/></PMML>"), "pmml.structure", Severity.HIGH);
        assertBlocked(scanText(pmml("", "").replace("</PMML>", "")), "pmml.malformed", Severity.HIGH);
    }
}
