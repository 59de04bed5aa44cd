package io.sparkgate.support;

/** Text that came from outside (a driver's output, a client's input) made safe to store. */
public final class Text {

  private Text() {}

  /**
   * The text with control characters other than newline and tab replaced by U+FFFD: a driver may
   * print anything, and PostgreSQL's text cannot hold NUL.
   */
  public static String printable(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c ->
                out.appendCodePoint(
                    Character.isISOControl(c) && c != '\n' && c != '\t' ? 0xFFFD : c));
    return out.toString();
  }
}
