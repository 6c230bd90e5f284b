package dev.klingbalances.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * Refuses input no legitimate consumer sends, before anything else looks at it: over-long
 * paths and query strings, control characters in decoded path segments or parameter values,
 * query strings that cannot be decoded, and (on the API) parameters given more than once or
 * named like a credential (a key in a URL leaks into logs). The answer is 400 problem+json
 * that never echoes the input. Tomcat and Spring Security's
 * firewall already refuse encoded slashes, NUL, dot segments and the like.
 */
final class RequestLimitsFilter extends OncePerRequestFilter {

	private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

	/** Parameter names a client might put its key in by mistake. */
	private static final Pattern CREDENTIAL_NAME = Pattern.compile(
			"(?i)(x[-_]?)?(api[-_]?key|apikey|key|token|access[-_]?token|secret|auth|authorization|bearer)");

	private final SecurityProperties.Limits limits;

	private final RequestMatcher api;

	private final ProblemResponses problems;

	RequestLimitsFilter(SecurityProperties.Limits limits, RequestMatcher api, ProblemResponses problems) {
		this.limits = limits;
		this.api = api;
		this.problems = problems;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String refusal = refusal(request);
		if (refusal != null) {
			this.problems.write(request, response, HttpStatus.BAD_REQUEST, refusal);
			return;
		}
		chain.doFilter(request, response);
	}

	private String refusal(HttpServletRequest request) {
		String path = request.getRequestURI();
		if (path.length() > this.limits.maxPathLength()) {
			return "The request path is longer than " + this.limits.maxPathLength() + " characters.";
		}
		String query = request.getQueryString();
		if (query != null && query.length() > this.limits.maxQueryLength()) {
			return "The query string is longer than " + this.limits.maxQueryLength() + " characters.";
		}
		try {
			if (hasControlCharacter(UriUtils.decode(path, StandardCharsets.UTF_8))) {
				return "The request path contains control characters.";
			}
		}
		catch (IllegalArgumentException ex) {
			return "The request path is not validly encoded.";
		}
		Map<String, String[]> parameters;
		try {
			parameters = request.getParameterMap();
		}
		catch (RuntimeException ex) {
			return "The query string is not validly encoded.";
		}
		boolean onApi = this.api.matches(request);
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			String name = parameter.getKey();
			if (hasControlCharacter(name)) {
				return "A parameter name contains control characters.";
			}
			for (String value : parameter.getValue()) {
				if (hasControlCharacter(value)) {
					return "Parameter " + nameOf(name) + " contains control characters.";
				}
			}
			if (onApi && CREDENTIAL_NAME.matcher(name).matches()) {
				return "Send the API key in the Authorization or X-API-Key header, never in the URL "
						+ "(URLs end up in logs); replace a key that was sent this way.";
			}
			if (onApi && parameter.getValue().length > 1) {
				return "Parameter " + nameOf(name) + " is given more than once.";
			}
		}
		return null;
	}

	private static String nameOf(String name) {
		return PLAIN_NAME.matcher(name).matches() ? "'" + name + "'" : "(name not shown)";
	}

	private static boolean hasControlCharacter(String value) {
		return value.chars().anyMatch(Character::isISOControl);
	}

}
