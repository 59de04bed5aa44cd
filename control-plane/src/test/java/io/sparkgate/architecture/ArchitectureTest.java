package io.sparkgate.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package structure is the architecture: features (catalog, run, launch, supervise, security)
 * with web adapters in their {@code web} sub-packages, shared helpers in {@code support}. These
 * rules fail the build on a package cycle or a reach into another feature's internals.
 */
class ArchitectureTest {

  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.sparkgate");

  @Test
  void topLevelPackagesHaveNoCycles() {
    slices().matching("io.sparkgate.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void webAdaptersAreReachedOnlyFromTheirOwnFeature() {
    for (String feature : new String[] {"catalog", "run"}) {
      noClasses()
          .that()
          .resideOutsideOfPackages("io.sparkgate." + feature + "..", "io.sparkgate.openapi..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.sparkgate." + feature + ".web..")
          .check(MAIN);
    }
  }

  @Test
  void supportDependsOnNoFeature() {
    noClasses()
        .that()
        .resideInAPackage("io.sparkgate.support..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.sparkgate.catalog..",
            "io.sparkgate.run..",
            "io.sparkgate.launch..",
            "io.sparkgate.supervise..",
            "io.sparkgate.security..",
            "io.sparkgate.config..",
            "io.sparkgate.web..")
        .check(MAIN);
  }

  @Test
  void supervisionIsALeafThatNoOtherFeatureDrives() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.sparkgate.supervise..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.sparkgate.supervise..")
        .check(MAIN);
  }

  @Test
  void theSparkBackendKnowsNothingOfRunsOrTheirSupervision() {
    noClasses()
        .that()
        .resideInAPackage("io.sparkgate.launch..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.sparkgate.run..", "io.sparkgate.supervise..")
        .check(MAIN);
  }

  @Test
  void configurationDependsOnNoFeature() {
    noClasses()
        .that()
        .resideInAPackage("io.sparkgate.config..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.sparkgate.catalog..",
            "io.sparkgate.run..",
            "io.sparkgate.launch..",
            "io.sparkgate.supervise..",
            "io.sparkgate.security..")
        .check(MAIN);
  }
}
