package dev.klingbalances.security;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One access-log line per request with the consumer's name (never the key), written by the
 * {@code dev.klingbalances.access} logger. The path is logged raw-encoded, shortened and without
 * control characters; the query string and headers are not logged at all, so nothing a client
 * sends by mistake (a key in a parameter) ends up in the log. Health probes log at DEBUG.
 */
final class ConsumerAccessLogFilter extends OncePerRequestFilter {

	private static final Logger logger = LoggerFactory.getLogger("dev.klingbalances.access");

	private static final int MAX_PATH_LENGTH = 200;

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long start = System.nanoTime();
		try {
			chain.doFilter(request, response);
		}
		finally {
			boolean probe = request.getRequestURI().startsWith("/actuator/health");
			if (probe ? logger.isDebugEnabled() : logger.isInfoEnabled()) {
				Object consumer = request.getAttribute(ApiKeyAuthenticationFilter.CONSUMER_ATTRIBUTE);
				String line = String.format("%s %s %d consumer=%s %dms", clean(request.getMethod(), 16),
						clean(request.getRequestURI(), MAX_PATH_LENGTH), response.getStatus(),
						(consumer != null) ? consumer : "-", (System.nanoTime() - start) / 1_000_000);
				if (probe) {
					logger.debug(line);
				}
				else {
					logger.info(line);
				}
			}
		}
	}

	static String clean(String value, int maxLength) {
		StringBuilder clean = new StringBuilder(Math.min(value.length(), maxLength + 1));
		for (int i = 0; i < value.length() && clean.length() < maxLength; i++) {
			char c = value.charAt(i);
			clean.append((c < 0x20 || c == 0x7f || Character.isISOControl(c)) ? '?' : c);
		}
		return (value.length() > maxLength) ? clean.append('…').toString() : clean.toString();
	}

}
