package dev.klingbalances.fastpath;

import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * A request the cached read path may answer: {@code GET} or {@code HEAD} of {@code /balances}
 * (with at most {@code provider}, {@code product} and {@code refresh=false}) or of
 * {@code /balances/{provider}/{account}} (with at most {@code refresh=false}), written the one
 * canonical way: no path parameters, no percent-escapes at all, no empty or dot segments, no
 * trailing slash, each parameter once with a plain value, no header that asks for more than a
 * plain read (conditions other than If-None-Match, an Accept other than JSON). An account name
 * with a dot (an e-mail) is not one either: Spring MVC answers it with a
 * {@code Content-Disposition} header (its guard against reflected file downloads, by the "file
 * extension" of the last path segment), a decision the full chain keeps for itself. Anything
 * else is not one ({@link #of} answers null) and goes to the full chain, its firewall and its
 * handlers.
 *
 * @param pattern the route, as Spring MVC names it in {@code http.server.requests}
 * @param provider the provider ({@code ?provider=} of /balances), or null
 * @param product the product ({@code ?product=} of /balances), or null
 * @param account the account of {@code /balances/{provider}/{account}}, or null for /balances
 */
record CachedRead(String pattern, @Nullable String provider, @Nullable String product, @Nullable String account) {

	static final String BALANCES = "/balances";

	static final String ACCOUNT = "/balances/{provider}/{account}";

	private static final int MAX_SEGMENT = 128;

	/**
	 * @param providers the provider names {@code ?provider=} accepts
	 * @param products the product names {@code ?product=} accepts
	 */
	static @Nullable CachedRead of(HttpServletRequest request, Set<String> providers, Set<String> products) {
		String method = request.getMethod();
		if (!("GET".equals(method) || "HEAD".equals(method)) || !request.getContextPath().isEmpty()
				|| !plainHeaders(request)) {
			return null;
		}
		String path = request.getRequestURI();
		String query = request.getQueryString();
		if (path.equals(BALANCES)) {
			return balances(query, providers, products);
		}
		if (!path.startsWith(BALANCES + "/")) {
			return null;
		}
		int start = BALANCES.length() + 1;
		int slash = path.indexOf('/', start);
		if (slash < 0 || !plainSegment(path, start, slash) || !plainSegment(path, slash + 1, path.length())
				|| path.indexOf('.', slash + 1) >= 0
				|| (query != null && !"refresh=false".equals(query))) {
			return null;
		}
		return new CachedRead(ACCOUNT, path.substring(start, slash), null, path.substring(slash + 1));
	}

	private static @Nullable CachedRead balances(@Nullable String query, Set<String> providers, Set<String> products) {
		String provider = null;
		String product = null;
		boolean refresh = false;
		if (query != null) {
			for (String parameter : query.split("&", -1)) {
				int equals = parameter.indexOf('=');
				if (equals < 0 || !plainSegment(parameter, equals + 1, parameter.length())) {
					return null;
				}
				String value = parameter.substring(equals + 1);
				switch (parameter.substring(0, equals)) {
					case "provider" -> {
						if (provider != null || !providers.contains(value)) {
							return null;
						}
						provider = value;
					}
					case "product" -> {
						if (product != null || !products.contains(value)) {
							return null;
						}
						product = value;
					}
					case "refresh" -> {
						if (refresh || !"false".equals(value)) {
							return null;
						}
						refresh = true;
					}
					default -> {
						return null;
					}
				}
			}
		}
		return new CachedRead(BALANCES, provider, product, null);
	}

	/** Letters, digits and {@code . _ - @ +}, not only dots, at most {@value #MAX_SEGMENT} of them. */
	private static boolean plainSegment(String text, int start, int end) {
		if (end <= start || end - start > MAX_SEGMENT) {
			return false;
		}
		boolean dotsOnly = true;
		for (int i = start; i < end; i++) {
			char c = text.charAt(i);
			boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
					|| c == '_' || c == '-' || c == '@' || c == '+';
			if (!plain) {
				return false;
			}
			dotsOnly &= (c == '.');
		}
		return !dotsOnly;
	}

	/** No condition but If-None-Match, and an Accept (if any) that plainly takes JSON. */
	private static boolean plainHeaders(HttpServletRequest request) {
		if (request.getHeader(HttpHeaders.IF_MATCH) != null || request.getHeader(HttpHeaders.IF_UNMODIFIED_SINCE) != null
				|| request.getHeader(HttpHeaders.IF_MODIFIED_SINCE) != null || request.getHeader(HttpHeaders.RANGE) != null) {
			return false;
		}
		String accept = request.getHeader(HttpHeaders.ACCEPT);
		return accept == null || "*/*".equals(accept) || "application/json".equals(accept);
	}

}
