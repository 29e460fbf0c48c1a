package io.discordrag.indexer.job;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's packages follow the pipeline: {@code source → session → embed → commit → sink}, each
 * stage using only earlier ones, all of them {@code config} (the connection options every stage
 * shares), and {@code config} none of them. The tools that assemble or inspect the pipeline (the
 * job's own package, {@code verify}, {@code search}) may use everything, and no stage uses them.
 */
class PackageOrderTest {

    private static final String ROOT = "io.discordrag.indexer.job";
    private static final List<String> STAGES =
            List.of("config", "source", "session", "embed", "commit", "sink");
    private static final List<String> TOOLS = List.of("verify", "search");

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages(ROOT);
    }

    @Test
    void everyStageUsesOnlyEarlierStages() {
        assertThat(classes.stream().filter(c -> c.getPackageName().equals(ROOT + ".sink.qdrant")))
                .as("the import saw the production classes")
                .isNotEmpty();
        for (int i = 0; i < STAGES.size(); i++) {
            List<String> forbidden = new ArrayList<>();
            for (String later : STAGES.subList(i + 1, STAGES.size())) {
                forbidden.add(ROOT + "." + later + "..");
            }
            for (String tool : TOOLS) {
                forbidden.add(ROOT + "." + tool + "..");
            }
            ArchRule rule =
                    noClasses()
                            .that()
                            .resideInAPackage(ROOT + "." + STAGES.get(i) + "..")
                            .should()
                            .dependOnClassesThat()
                            .resideInAnyPackage(forbidden.toArray(String[]::new))
                            .orShould()
                            .dependOnClassesThat()
                            .resideInAPackage(ROOT)
                            .because("package order is pipeline order (DESIGN.md, The planner)");
            rule.check(classes);
        }
    }
}
