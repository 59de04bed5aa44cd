package io.sparkgate.web;

import io.sparkgate.error.ErrorKind;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's last word on a failed request, for requests it refuses before they reach the application
 * (an encoded slash or an invalid character in the URL, headers too large): a problem document in
 * place of Tomcat's HTML error page, with no server details.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

  public ProblemErrorReportValve() {
    setShowReport(false);
    setShowServerInfo(false);
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    String detail =
        status >= 500
            ? "An unexpected error occurred."
            : "The request was refused by the HTTP server (malformed URL or headers).";
    try {
      response.setContentType(ProblemResponses.CONTENT_TYPE);
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(ProblemResponses.body(status, ErrorKind.forStatus(status), detail, null));
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // The client is gone or the response is unusable: nothing more can be said.
    }
  }
}
