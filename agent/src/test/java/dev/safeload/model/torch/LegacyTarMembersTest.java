package dev.safeload.model.torch;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.Severity;
import dev.safeload.model.pickle.PickleMachine;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Legacy tar checkpoints read as Python's tarfile reads them for torch.load (fixtures and their
 * proof against torch 1.13: legacy-tar/make_legacy_tar_fixtures.py --prove). Each attack ran its
 * payload in torch.load; each twin loads the same layout with a harmless pickle.
 */
class LegacyTarMembersTest {

    private static Path fixture(String name) throws Exception {
        return Path.of(LegacyTarMembersTest.class.getResource("legacy-tar/" + name).toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pickle_contiguous_type.pt", "pickle_unknown_type.pt"})
    void refusesPickleMemberOfATypeTarfileReadsAsRegular(String file) throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pickle_contiguous_type_twin.pt", "pickle_unknown_type_twin.pt",
        "pickle_hidden_in_folder_twin.pt"})
    void allowsHarmlessPickleWhateverRegularTypeHoldsIt(String file) throws Exception {
        assertAllowed(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pickle_hidden_in_folder.pt"})
    void readsTheHeaderRightAfterAFolderWhateverItsSizeSays(String file) throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pickle_symlink.pt"})
    void refusesAMemberNamedPickleThatIsALink(String file) throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)),
                TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH);
    }

    /** make_tar_polyglot_fixtures.py --prove: torch.load reads the tar hidden in a pickle sequence first. */
    @ParameterizedTest
    @ValueSource(strings = {"legacy_pickles_also_tar.pt"})
    void readsAPickleSequenceAsTheTarTorchLoadTriesFirst(String file) throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"legacy_pickles_also_tar_twin.pt"})
    void allowsAPickleSequenceThatIsAlsoAHarmlessTar(String file) throws Exception {
        assertAllowed(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)));
    }

    /**
     * A pax header whose size record is "abc": tarfile reads the member as 0 bytes (its int()
     * failing turns into 0), so where its data starts and what it holds is not what it looks
     * like; the check used to throw NumberFormatException on it (found by reading, kept in the
     * torch-legacy fuzz inputs). tarfile.open(...).getmembers() gives [('pickle', 0)].
     */
    @ParameterizedTest
    @ValueSource(strings = {"pickle_pax_size_not_a_number.pt"})
    void refusesAPaxSizeThatIsNotAPlainNumber(String file) throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)),
                TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH);
    }

    /** The same layout with a pax size of 17, which overrides the header's 999 as in tarfile: [('pickle', 17)]. */
    @ParameterizedTest
    @ValueSource(strings = {"pickle_pax_size_twin.pt"})
    void readsAMemberByItsPaxSize(String file) throws Exception {
        assertAllowed(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)));
    }

    /**
     * make_tar_extended_fixtures.py --prove: tarfile reads a GNU long name or pax header over its
     * block padding, so a name finished, or a path record placed, past the declared size still
     * names the next member "pickle" (CPython 3.11.2 and 3.11.7 both load the payload).
     */
    @ParameterizedTest
    @ValueSource(strings = {"pickle_gnu_longname_ends_in_padding.pt", "pickle_pax_record_in_padding.pt"})
    void readsTheMemberNameAnExtendedHeaderGivesInItsPadding(String file) throws Exception {
        assertBlocked(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pickle_gnu_longname_ends_in_padding_twin.pt", "pickle_pax_record_in_padding_twin.pt"})
    void allowsAHarmlessPickleNamedInAnExtendedHeadersPadding(String file) throws Exception {
        assertAllowed(new ModelScanner(ModelPolicies.defaults()).scanFile(fixture(file)));
    }
}
