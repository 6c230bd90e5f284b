package dev.klingbalances.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.regex.Pattern;

import dev.klingbalances.web.ProblemCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * Refuses input no legitimate consumer sends, before Spring parses it anywhere: over-long paths
 * and query strings, broken percent-encoding or control characters in the path (path
 * parameters included), header names or values with characters that are not allowed, a
 * Content-Type that is no concrete media type, query strings that cannot be decoded, and (on
 * the API) parameters given more than once or named like a credential (a key in a URL leaks
 * into logs). The answer is 400 problem+json that never echoes the input. Tomcat and Spring
 * Security's firewall refuse more (encoded slashes, NUL, dot segments); this filter refuses
 * at least what the firewall would only notice lazily, deep inside a handler.
 */
final class RequestLimitsFilter extends OncePerRequestFilter {

	private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

	/** Assigned characters that are not control characters: what Spring Security's firewall allows. */
	private static final Pattern ALLOWED = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

	/** Parameter names a client might put its key in by mistake. */
	private static final Pattern CREDENTIAL_NAME = Pattern.compile(
			"(?i)(x[-_]?)?(api[-_]?key|apikey|key|token|access[-_]?token|secret|auth|authorization|bearer)");

	private final SecurityProperties.Limits limits;

	private final String apiPath;

	private final ProblemResponses problems;

	/**
	 * @param apiPath the API's path ({@code /balances}); stricter rules apply to it and below it
	 */
	RequestLimitsFilter(SecurityProperties.Limits limits, String apiPath, ProblemResponses problems) {
		this.limits = limits;
		this.apiPath = apiPath;
		this.problems = problems;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String refusal = refusal(request);
		if (refusal != null) {
			this.problems.write(request, response, ProblemCode.INVALID_PARAMETER, refusal);
			return;
		}
		chain.doFilter(request, response);
	}

	private @Nullable String refusal(HttpServletRequest request) {
		String path = request.getRequestURI();
		if (path.length() > this.limits.maxPathLength()) {
			return "The request path is longer than " + this.limits.maxPathLength() + " characters.";
		}
		String query = request.getQueryString();
		if (query != null && query.length() > this.limits.maxQueryLength()) {
			return "The query string is longer than " + this.limits.maxQueryLength() + " characters.";
		}
		try {
			if (!ALLOWED.matcher(UriUtils.decode(path, StandardCharsets.UTF_8)).matches()) {
				return "The request path contains characters that are not allowed.";
			}
		}
		catch (IllegalArgumentException ex) {
			return "The request path is not validly percent-encoded.";
		}
		String header = headerRefusal(request);
		if (header != null) {
			return header;
		}
		Map<String, String[]> parameters;
		try {
			parameters = request.getParameterMap();
		}
		catch (RuntimeException ex) {
			return "The query string cannot be decoded.";
		}
		String relative = path.substring(request.getContextPath().length());
		boolean onApi = relative.equals(this.apiPath) || relative.startsWith(this.apiPath + "/");
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			String name = parameter.getKey();
			if (!ALLOWED.matcher(name).matches()) {
				return "A parameter name contains characters that are not allowed.";
			}
			for (String value : parameter.getValue()) {
				if (!ALLOWED.matcher(value).matches()) {
					return "Parameter " + nameOf(name) + " contains characters that are not allowed.";
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

	private static @Nullable String headerRefusal(HttpServletRequest request) {
		for (String name : Collections.list(request.getHeaderNames())) {
			if (!ALLOWED.matcher(name).matches()) {
				return "A header name contains characters that are not allowed.";
			}
			for (String value : Collections.list(request.getHeaders(name))) {
				if (!ALLOWED.matcher(value).matches()) {
					return "A header value contains characters that are not allowed.";
				}
			}
		}
		String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
		if (contentType != null) {
			try {
				MediaType type = MediaType.parseMediaType(contentType);
				if (type.isWildcardType() || type.isWildcardSubtype()) {
					return "The Content-Type header must name a concrete media type.";
				}
			}
			catch (IllegalArgumentException ex) {
				return "The Content-Type header is not a valid media type.";
			}
		}
		return null;
	}

	private static String nameOf(String name) {
		return PLAIN_NAME.matcher(name).matches() ? "'" + name + "'" : "(name not shown)";
	}

}
