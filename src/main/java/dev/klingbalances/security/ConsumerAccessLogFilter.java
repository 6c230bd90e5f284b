package dev.klingbalances.security;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One access-log line per request with the consumer's name (never the key), written by the
 * {@code dev.klingbalances.access} logger. The path is logged raw-encoded, shortened and without
 * control characters; the query string and headers are not logged at all, so nothing a client
 * sends by mistake (a key in a parameter) ends up in the log. Health probes log at DEBUG.
 * The line is handed to the {@link AccessLog}, which writes it off the request thread.
 */
final class ConsumerAccessLogFilter extends OncePerRequestFilter {

	private static final int MAX_PATH_LENGTH = 200;

	private final AccessLog accessLog;

	ConsumerAccessLogFilter(AccessLog accessLog) {
		this.accessLog = accessLog;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long start = System.nanoTime();
		try {
			chain.doFilter(request, response);
		}
		finally {
			boolean probe = request.getRequestURI().startsWith("/actuator/health");
			if (this.accessLog.isEnabled(probe)) {
				Object consumer = request.getAttribute(ApiKeyAuthenticationFilter.CONSUMER_ATTRIBUTE);
				StringBuilder line = new StringBuilder(96);
				appendClean(line, request.getMethod(), 16);
				line.append(' ');
				appendClean(line, request.getRequestURI(), MAX_PATH_LENGTH);
				line.append(' ')
					.append(response.getStatus())
					.append(" consumer=")
					.append((consumer != null) ? consumer : "-")
					.append(' ')
					.append((System.nanoTime() - start) / 1_000_000)
					.append("ms");
				this.accessLog.write(probe, line.toString());
			}
		}
	}

	private static void appendClean(StringBuilder line, String value, int maxLength) {
		int end = Math.min(value.length(), maxLength);
		for (int i = 0; i < end; i++) {
			char c = value.charAt(i);
			line.append((c < 0x20 || c == 0x7f || Character.isISOControl(c)) ? '?' : c);
		}
		if (value.length() > maxLength) {
			line.append('…');
		}
	}

}
