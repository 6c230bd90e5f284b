package dev.klingbalances.security;

import java.io.IOException;

import dev.klingbalances.web.ProblemCode;
import dev.klingbalances.web.ProblemRenderer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Writes the security layer's refusals (401, 403, 429) as the same problem+json the rest of the
 * API answers with. The security filters run before Spring MVC, so they cannot use its handlers.
 */
final class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

	static final String MISSING_KEY = "This endpoint needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.";

	static final String INVALID_KEY = "The API key is not valid.";

	private final boolean keysAccepted;

	/**
	 * @param keysAccepted false when the service runs without API keys: then no key could
	 * help, and a refusal is a 403, not a 401 asking for one
	 */
	ProblemResponses(boolean keysAccepted) {
		this.keysAccepted = keysAccepted;
	}

	/** 401: no key, or a key that is not valid. The detail never echoes what was sent. */
	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
			throws IOException {
		if (!this.keysAccepted) {
			handle(request, response, new AccessDeniedException("No API keys in this mode"));
			return;
		}
		boolean presented = ex instanceof InvalidApiKeyException;
		response.setHeader("WWW-Authenticate",
				presented ? "Bearer realm=\"kling-balances\", error=\"invalid_token\"" : "Bearer realm=\"kling-balances\"");
		write(request, response, ProblemCode.UNAUTHORIZED, presented ? ex.getMessage() : MISSING_KEY);
	}

	/** 403: an authenticated consumer asking for something no consumer may read. */
	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex)
			throws IOException {
		write(request, response, ProblemCode.FORBIDDEN, "This endpoint is not available to API consumers.");
	}

	void write(HttpServletRequest request, HttpServletResponse response, ProblemCode code, String detail)
			throws IOException {
		ProblemRenderer.write(ProblemRenderer.problem(code, code.status(), detail, request.getRequestURI()), response);
	}

	/** A key was sent but matches no consumer, or was malformed. */
	static final class InvalidApiKeyException extends AuthenticationException {

		InvalidApiKeyException(String message) {
			super(message);
		}

	}

}
