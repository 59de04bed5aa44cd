package io.sparkgate.run;

import java.util.Map;

/** What a client asks to run; validated by {@link RunService#submit}. */
public record SubmitRequest(
    String job,
    Map<String, Object> params,
    Map<String, String> sparkConf,
    Map<String, String> labels,
    Integer timeoutSeconds) {}
