package dev.safeload.presets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.javaserial.CodeBearingValues;
import dev.safeload.policy.Decision;
import edu.stanford.nlp.sequences.SeqClassifierFlags;
import java.io.File;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;
import weka.classifiers.CostMatrix;
import weka.filters.unsupervised.attribute.StringToWordVector;

/**
 * What the stream guard decides on the objects of the real libraries, once their fields are
 * read (the forked-JVM tests show it wired into the stream: PresetCodePathTest in
 * integration-tests, StreamGuardReadsCodeBearingFieldsTest here).
 */
class CodeBearingValuesTest {

    @Test
    void admitsTheLibrariesDefaults() {
        assertNull(CodeBearingValues.judge(new StringToWordVector()));
        assertNull(CodeBearingValues.judge(new SeqClassifierFlags()));
        CostMatrix costs = new CostMatrix(3);
        costs.setCell(0, 1, 2.5);
        assertNull(CodeBearingValues.judge(costs));
        assertNull(CodeBearingValues.judge("not a listed class"));
        assertNull(CodeBearingValues.judge(null));
    }

    @Test
    void refusesDictionaryFileNamingAPath() {
        StringToWordVector filter = new StringToWordVector();
        filter.setDictionaryFileToSaveTo(new File("/srv/app/config.properties"));
        Decision refused = CodeBearingValues.judge(filter);
        assertNotNull(refused);
        assertEquals("serial.field.resource", refused.rule());
        assertTrue(refused.detail().startsWith("weka.filters.unsupervised.attribute.StringToWordVector.m_dictionaryFile"
                + " holds \"/srv/app/config.properties\""), refused.detail());
    }

    @Test
    void refusesCostCellCallingJavaWhateverItsCase() {
        CostMatrix costs = new CostMatrix(2);
        costs.setCell(0, 1, "ifelse(JAVA(\"weka.core.Debug\", \"writeToFile\", \"/tmp/x\", \"y\") > 0, 1, 1)");
        Decision refused = CodeBearingValues.judge(costs);
        assertNotNull(refused);
        assertEquals("serial.field.expression", refused.rule());
    }

    /**
     * A cost matrix whose m_matrix is a back-reference to an array that holds the matrix itself:
     * when the matrix is checked the array's later cells are still empty, and the stream fills
     * them after. An empty cell is refused, so no cell can arrive after the check.
     */
    @Test
    void refusesCostMatrixWithAnEmptyCell() throws Exception {
        CostMatrix costs = new CostMatrix(2);
        Field matrix = CostMatrix.class.getDeclaredField("m_matrix");
        matrix.setAccessible(true);
        ((Object[][]) matrix.get(costs))[1][1] = null;
        Decision refused = CodeBearingValues.judge(costs);
        assertNotNull(refused);
        assertTrue(refused.detail().contains("empty cell"), refused.detail());
    }

    @Test
    void refusesCrfFlagsNamingAReaderClassOrALexicon() {
        SeqClassifierFlags reader = new SeqClassifierFlags();
        reader.readerAndWriter = ConstructionWitness.class.getName();
        assertEquals("serial.field.class-name", CodeBearingValues.judge(reader).rule());

        SeqClassifierFlags lexicon = new SeqClassifierFlags();
        lexicon.distSimLexicon = "https://attacker.example/clusters.txt";
        assertEquals("serial.field.resource", CodeBearingValues.judge(lexicon).rule());
    }

    /** A value the guard cannot see the strings of is refused, not vouched for. */
    @Test
    void refusesAValueOfAnUnexpectedType() throws Exception {
        StringToWordVector filter = new StringToWordVector();
        Field file = StringToWordVector.class.getDeclaredField("m_dictionaryFile");
        file.setAccessible(true);
        file.set(filter, new File("x") { });
        Decision refused = CodeBearingValues.judge(filter);
        assertNotNull(refused);
        assertTrue(refused.detail().contains("whose strings the guard cannot read"), refused.detail());
    }
}
