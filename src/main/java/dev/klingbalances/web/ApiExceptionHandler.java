package dev.klingbalances.web;

import java.time.Duration;

import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.balance.InvalidParameterException;
import dev.klingbalances.balance.NoCapacityException;
import dev.klingbalances.balance.UnknownResourceException;
import dev.klingbalances.provider.AccountListUnavailableException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every error raised while handling a request into {@code application/problem+json}
 * with a stable {@code type} and {@code code}. Details never echo raw input at length, never
 * carry a stack trace or a secret.
 */
@RestControllerAdvice
// Declared here as well as scanned, so web slices that load this advice get the properties too.
@EnableConfigurationProperties(BalancesProperties.class)
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

	private static final java.net.URI ABOUT_BLANK = java.net.URI.create("about:blank");

	private static final Logger logger = LoggerFactory.getLogger(ApiExceptionHandler.class);

	/** Whole seconds a failed account list stays remembered: asking again sooner gets the same failure. */
	private final String accountListRetryAfter;

	ApiExceptionHandler(BalancesProperties properties) {
		this.accountListRetryAfter = Long.toString(wholeSecondsAtLeastOne(properties.cache().errorTtl()));
	}

	@ExceptionHandler
	ProblemDetail handle(InvalidParameterException ex) {
		ProblemDetail problem = ProblemRenderer.problem(ProblemCode.INVALID_PARAMETER, ex.getMessage());
		problem.setProperty("parameter", ex.parameter());
		return problem;
	}

	@ExceptionHandler
	ProblemDetail handle(UnknownResourceException ex) {
		return ProblemRenderer.problem(ProblemCode.NOT_FOUND, ex.getMessage());
	}

	@ExceptionHandler
	ProblemDetail handle(NoCapacityException ex) {
		ProblemDetail problem = ProblemRenderer.problem(ProblemCode.NO_CAPACITY, ex.getMessage());
		problem.setProperty("candidates", ex.candidates());
		return problem;
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> handle(AccountListUnavailableException ex) {
		ProblemDetail problem = ProblemRenderer.problem(ProblemCode.ACCOUNT_LIST_UNAVAILABLE, ex.getMessage());
		problem.setProperty("upstreamError", ex.error().code().name());
		return ResponseEntity.status(problem.getStatus()).header(HttpHeaders.RETRY_AFTER, this.accountListRetryAfter).body(problem);
	}

	@ExceptionHandler
	ProblemDetail handle(MethodArgumentTypeMismatchException ex) {
		String type = (ex.getRequiredType() == boolean.class || ex.getRequiredType() == Boolean.class)
				? "true or false" : "a valid value";
		ProblemDetail problem = ProblemRenderer.problem(ProblemCode.INVALID_PARAMETER,
				"Parameter '" + ex.getName() + "' must be " + type + ".");
		problem.setProperty("parameter", ex.getName());
		return problem;
	}

	/**
	 * A request the firewall refused, a malformed media type, or a URL-like header that does not
	 * parse (CORS reads {@code Origin} as a URI): the client's fault, not ours.
	 */
	@ExceptionHandler({ org.springframework.security.web.firewall.RequestRejectedException.class,
			org.springframework.http.InvalidMediaTypeException.class, org.springframework.web.util.InvalidUrlException.class })
	ProblemDetail handleRejected(RuntimeException ex) {
		return ProblemRenderer.problem(ProblemCode.INVALID_PARAMETER, "The request is malformed.");
	}

	/** Last resort: a bug. Logged with its stack trace here, answered without it. */
	@ExceptionHandler
	ProblemDetail handle(Exception ex) {
		logger.error("Unhandled error while serving a request", ex);
		return ProblemRenderer.problem(ProblemCode.INTERNAL_ERROR, "An internal error occurred; it has been logged.");
	}

	/** Retry-After has no fractions; rounded up, so a retry never comes before the failure is forgotten. */
	static long wholeSecondsAtLeastOne(Duration duration) {
		long seconds = duration.toSeconds() + ((duration.toNanosPart() > 0) ? 1 : 0);
		return Math.max(1, seconds);
	}

	/** Spring MVC's own problems (404 no such path, 405, 406, missing parameter, …) get our type and code. */
	@Override
	protected ResponseEntity<Object> createResponseEntity(@Nullable Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		if (body instanceof ProblemDetail problem && (problem.getType() == null || ABOUT_BLANK.equals(problem.getType()))) {
			ProblemRenderer.typed(problem, ProblemCode.forStatus(statusCode));
			if (statusCode.value() == 404) {
				// Spring's detail repeats the requested path; a generic one echoes no input.
				problem.setDetail("No resource at this path.");
			}
		}
		return super.createResponseEntity(body, headers, statusCode, request);
	}

}
