package dev.klingbalances.web;

import java.io.IOException;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers errors that happen outside Spring MVC's handlers (the servlet container, filters) as
 * problem+json too, replacing Boot's whitelabel/JSON error page. Never shows the exception.
 * Writes the problem itself, so its {@code instance} is the path that failed, not this page's.
 */
@RestController
class ProblemErrorController implements ErrorController {

	@RequestMapping(path = "${server.error.path:/error}", produces = MediaType.ALL_VALUE)
	void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatusCode status = (code instanceof Integer value && value >= 400 && value < 600)
				? HttpStatusCode.valueOf(value) : HttpStatus.INTERNAL_SERVER_ERROR;
		Object path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
		ProblemRenderer.write(
				ProblemRenderer.forStatus(status, (path instanceof String failed) ? failed : request.getRequestURI()),
				response);
	}

}
