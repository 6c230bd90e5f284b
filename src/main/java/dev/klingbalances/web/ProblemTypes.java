package dev.klingbalances.web;

import java.net.URI;
import java.util.Locale;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * The stable problem types of this service's own errors (RFC 9457): a URN per code, plus the
 * code itself as the {@code code} property, so clients can switch on either.
 */
public final class ProblemTypes {

	public static final String INVALID_PARAMETER = "INVALID_PARAMETER";

	public static final String NOT_FOUND = "NOT_FOUND";

	public static final String ACCOUNT_LIST_UNAVAILABLE = "ACCOUNT_LIST_UNAVAILABLE";

	public static final String INTERNAL_ERROR = "INTERNAL_ERROR";

	private ProblemTypes() {
	}

	/** A problem with its type URN and code set. */
	public static ProblemDetail problem(HttpStatusCode status, String code, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		return typed(problem, code);
	}

	/** Sets type and code on a problem, keeping its status, title and detail. */
	public static ProblemDetail typed(ProblemDetail problem, String code) {
		problem.setType(URI.create("urn:kling-balances:problem:" + code.toLowerCase(Locale.ROOT).replace('_', '-')));
		problem.setProperty("code", code);
		return problem;
	}

	/** The code for a status that has no more specific one (405 → METHOD_NOT_ALLOWED, …). */
	public static String codeFor(HttpStatusCode status) {
		if (status.value() == 404) {
			return NOT_FOUND;
		}
		if (status.value() == 400) {
			return INVALID_PARAMETER;
		}
		if (status.is5xxServerError()) {
			return INTERNAL_ERROR;
		}
		org.springframework.http.HttpStatus known = org.springframework.http.HttpStatus.resolve(status.value());
		return (known != null) ? known.name() : "HTTP_" + status.value();
	}

}
