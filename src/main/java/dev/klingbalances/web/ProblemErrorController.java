package dev.klingbalances.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers errors that happen outside Spring MVC's handlers (the servlet container, filters) as
 * problem+json too, replacing Boot's whitelabel/JSON error page. Never shows the exception.
 */
@RestController
class ProblemErrorController implements ErrorController {

	@RequestMapping(path = "${server.error.path:/error}", produces = MediaType.ALL_VALUE)
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatusCode status = (code instanceof Integer value && value >= 400 && value < 600)
				? HttpStatusCode.valueOf(value) : HttpStatus.INTERNAL_SERVER_ERROR;
		HttpStatus known = HttpStatus.resolve(status.value());
		String detail = (known != null) ? known.getReasonPhrase() : "Error";
		ProblemDetail problem = ProblemTypes.problem(status, ProblemTypes.codeFor(status), detail);
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
	}

}
