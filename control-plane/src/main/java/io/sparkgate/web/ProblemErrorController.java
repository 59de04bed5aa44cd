package io.sparkgate.web;

import io.sparkgate.error.ErrorKind;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The servlet container's error page: errors raised outside Spring MVC's handlers (a filter's
 * {@code sendError}, an exception in a filter) become problem documents too, in place of Spring
 * Boot's own error JSON. Nothing from the failure (message, exception, path) is echoed but the
 * status.
 */
@Controller
public class ProblemErrorController implements ErrorController {

  @RequestMapping("${server.error.path:/error}")
  void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer i && i >= 400 && i <= 599 ? i : 500;
    ErrorKind kind = ErrorKind.forStatus(status);
    String detail =
        status >= 500 ? "An unexpected error occurred." : "The request could not be processed.";
    ProblemResponses.write(response, status, kind, detail, null);
  }
}
