package bitnut.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering rules from docs/architecture.md, checked on the production classes. Written so they
 * hold (and still check) while stage packages do not exist yet: empty selections are allowed.
 */
class ArchitectureTest {
    /** Engine packages: everything the CLI and the workbench share. */
    static final String[] ENGINE = {"bitnut.common..", "bitnut.workspace..", "bitnut.tokenizer..", "bitnut.text..",
            "bitnut.corpus..", "bitnut.model..", "bitnut.train..", "bitnut.pretrain..", "bitnut.finetune..",
            "bitnut.infer..", "bitnut.synth..", "bitnut.dataset.."};

    static JavaClasses classes;

    @BeforeAll
    static void importClasses() throws Exception {
        // only the production classes folder: scanning every jar (libtorch is 111 MB) is slow
        java.nio.file.Path main = java.nio.file.Path.of(bitnut.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPath(main);
    }

    @Test
    void engineNeverImportsUiToolkitsOrTheUiAndCliPackages() {
        noClasses().that().resideInAnyPackage(ENGINE)
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "io.fair_acc..",
                        "atlantafx..", "bitnut.ui..", "bitnut.cli..")
                .because("engine code runs headless under the CLI and in tests")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void onlyTheInferenceKernelUsesTheVectorApi() {
        noClasses().that().resideOutsideOfPackage("bitnut.infer.kernel..")
                .should().dependOnClassesThat().resideInAPackage("jdk.incubator.vector..")
                .because("the incubating Vector API stays behind one package with a scalar twin")
                .allowEmptyShould(true)
                .check(classes);
    }

    /**
     * The chat engine must run without libtorch. DJL's HuggingFace tokenizers binding (a small Rust
     * library, no engine) is tolerated for now: bitnut.infer.HfTokenCodec uses it. Tighten this to
     * all of ai.djl once infer has a pure-Java tokenizer codec.
     */
    @Test
    void theChatEngineDoesNotNeedDjl() {
        noClasses().that().resideInAPackage("bitnut.infer..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "are DJL classes other than the HuggingFace tokenizers binding",
                        (com.tngtech.archunit.core.domain.JavaClass c) -> c.getPackageName().startsWith("ai.djl")
                                && !c.getPackageName().startsWith("ai.djl.huggingface.tokenizers")))
                .because("chat runs on the pure-Java ternary engine, without libtorch")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void stageTabsDoNotImportEachOther() {
        slices().matching("bitnut.ui.(*)..").should().notDependOnEachOther()
                .because("each tab talks to its own view-model and the shared AppServices only")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void theRuleActuallyBites() {
        // guard against a rule that can never fail (wrong package names, empty import)
        org.junit.jupiter.api.Assertions.assertTrue(classes.containPackage("bitnut.common"));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () ->
                noClasses().that().resideInAPackage("bitnut.ui..")
                        .should().dependOnClassesThat().resideInAPackage("javafx..").check(classes));
    }
}
