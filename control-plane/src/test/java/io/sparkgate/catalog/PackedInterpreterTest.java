package io.sparkgate.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PackedInterpreterTest {

  @Test
  void onlyARelativePathIsAnInterpreterInsideAnArchive() {
    assertThat(JobDefinition.isPackedInterpreter("./env/bin/python")).isTrue();
    assertThat(JobDefinition.isPackedInterpreter("env/bin/python")).isTrue();
    assertThat(JobDefinition.isPackedInterpreter("/usr/bin/python3")).isFalse();
    assertThat(JobDefinition.isPackedInterpreter("python3")).isFalse();
    assertThat(JobDefinition.isPackedInterpreter(null)).isFalse();
  }

  @Test
  void theDirectoryOfAPackedInterpreterIsWhatAnArchiveIsUnpackedAs() {
    assertThat(JobDefinition.packedDirectory("./env/bin/python")).isEqualTo("env");
    assertThat(JobDefinition.packedDirectory("pyenv/bin/python3")).isEqualTo("pyenv");
    assertThat(JobDefinitionValidator.dependencyName("/opt/jobs/env.tar.gz#env")).isEqualTo("env");
    assertThat(JobDefinitionValidator.dependencyName("/opt/jobs/env.tar.gz"))
        .isEqualTo("env.tar.gz");
    assertThat(JobDefinitionValidator.dependencyName("s3a://bucket/jobs/deps.zip#deps"))
        .isEqualTo("deps");
  }
}
