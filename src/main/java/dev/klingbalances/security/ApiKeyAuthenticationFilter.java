package dev.klingbalances.security;

import java.io.IOException;
import java.util.Collections;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads the consumer's key from {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}.
 * No key: the request goes on anonymously (open endpoints answer, protected ones get 401). A key
 * that is malformed, ambiguous or unknown is answered 401 at once. On success the consumer's
 * name, never the key, is kept for the access log, the metrics and the rate limiter.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

	/** Request attribute holding the authenticated consumer's name. */
	static final String CONSUMER_ATTRIBUTE = ApiKeyAuthenticationFilter.class.getName() + ".consumer";

	static final String API_KEY_HEADER = "X-API-Key";

	/** MDC key of the consumer's name, for log patterns and structured logs. */
	static final String MDC_CONSUMER = "consumer";

	private static final String BEARER = "Bearer ";

	private static final int MAX_KEY_LENGTH = 512;

	private final AuthenticationProvider provider;

	private final AuthenticationEntryPoint entryPoint;

	private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

	ApiKeyAuthenticationFilter(AuthenticationProvider provider, AuthenticationEntryPoint entryPoint) {
		this.provider = provider;
		this.entryPoint = entryPoint;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Authentication consumer;
		try {
			consumer = authenticate(request);
		}
		catch (AuthenticationException ex) {
			refuse(request, response, ex);
			return;
		}
		if (consumer == null) {
			chain.doFilter(request, response);
			return;
		}
		SecurityContext context = this.contexts.createEmptyContext();
		context.setAuthentication(consumer);
		this.contexts.setContext(context);
		asConsumer(request, response, consumer.getName(), chain);
	}

	/**
	 * The consumer whose key the request carries, or null when it carries none. Writes nothing.
	 * @throws AuthenticationException when the key is malformed, ambiguous or unknown
	 */
	@Nullable Authentication authenticate(HttpServletRequest request) {
		String key = presentedKey(request);
		return (key != null) ? this.provider.authenticate(ApiKeyAuthentication.unauthenticated(key)) : null;
	}

	/** Answers 401 for a key that {@link #authenticate} refused; the detail never echoes the key. */
	void refuse(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
			throws IOException, ServletException {
		this.contexts.clearContext();
		String detail = (ex instanceof ProblemResponses.InvalidApiKeyException) ? ex.getMessage()
				: ProblemResponses.INVALID_KEY;
		this.entryPoint.commence(request, response, new ProblemResponses.InvalidApiKeyException(detail));
	}

	/**
	 * Runs the rest of the request as the consumer: its name (never the key) in a request
	 * attribute for the access log, the metrics and the rate limiter, and in the MDC meanwhile.
	 */
	static void asConsumer(HttpServletRequest request, HttpServletResponse response, String consumer,
			FilterChain next) throws IOException, ServletException {
		request.setAttribute(CONSUMER_ATTRIBUTE, consumer);
		MDC.put(MDC_CONSUMER, consumer);
		try {
			next.doFilter(request, response);
		}
		finally {
			MDC.remove(MDC_CONSUMER);
		}
	}

	/**
	 * The key the client sent, or null when it sent none. Other {@code Authorization} schemes
	 * are not ours and are ignored.
	 * @throws ProblemResponses.InvalidApiKeyException when the headers are repeated,
	 * contradict each other or hold something that cannot be a key
	 */
	static @Nullable String presentedKey(HttpServletRequest request) {
		List<String> authorization = Collections.list(request.getHeaders(HttpHeaders.AUTHORIZATION));
		List<String> apiKey = Collections.list(request.getHeaders(API_KEY_HEADER));
		if (authorization.size() > 1 || apiKey.size() > 1) {
			throw new ProblemResponses.InvalidApiKeyException("Send one API key, in one header.");
		}
		String bearer = null;
		if (authorization.size() == 1 && authorization.get(0).regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			bearer = authorization.get(0).substring(BEARER.length()).strip();
		}
		String header = (apiKey.size() == 1) ? apiKey.get(0).strip() : null;
		if (bearer != null && header != null && !bearer.equals(header)) {
			throw new ProblemResponses.InvalidApiKeyException(
					"Authorization and X-API-Key carry different keys; send one.");
		}
		String key = (bearer != null) ? bearer : header;
		if (key == null) {
			return null;
		}
		if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch((c) -> c > 0x20 && c < 0x7f)) {
			throw new ProblemResponses.InvalidApiKeyException(ProblemResponses.INVALID_KEY);
		}
		return key;
	}

}
