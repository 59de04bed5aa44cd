package io.sparkgate.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a job's argument templates into argv. {@code ${name}} is replaced by a parameter's
 * rendered value and {@code $${} stands for a literal {@code ${}. Each template stays exactly one
 * argv entry whatever the value holds: arguments never pass through a shell.
 */
public final class ArgTemplate {

  private ArgTemplate() {}

  /** The parameter names a template refers to, in order of first use. */
  public static Set<String> references(String template) {
    Set<String> names = new LinkedHashSet<>();
    scan(template, names::add, null);
    return names;
  }

  /** Renders every template with the normalized parameters. */
  public static List<String> render(List<String> templates, Map<String, Object> params) {
    List<String> argv = new ArrayList<>(templates.size());
    for (String template : templates) {
      StringBuilder out = new StringBuilder(template.length());
      scan(
          template,
          name -> {
            Object value = params.get(name);
            if (value == null) {
              throw new IllegalArgumentException("no value for parameter " + name);
            }
            out.append(ParameterBinder.render(value));
          },
          out);
      argv.add(out.toString());
    }
    return argv;
  }

  /**
   * Walks a template, reporting each reference to {@code onReference} and copying literal text to
   * {@code literal} when it is given.
   */
  private static void scan(
      String template, java.util.function.Consumer<String> onReference, StringBuilder literal) {
    int i = 0;
    while (i < template.length()) {
      if (template.startsWith("$${", i)) {
        append(literal, "${");
        i += 3;
      } else if (template.startsWith("${", i)) {
        int end = template.indexOf('}', i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed ${ in argument: " + template);
        }
        String name = template.substring(i + 2, end);
        if (name.isEmpty()) {
          throw new IllegalArgumentException("empty ${} in argument: " + template);
        }
        onReference.accept(name);
        i = end + 1;
      } else {
        append(literal, String.valueOf(template.charAt(i)));
        i++;
      }
    }
  }

  private static void append(StringBuilder literal, String text) {
    if (literal != null) {
      literal.append(text);
    }
  }
}
