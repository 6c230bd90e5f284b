package dev.klingbalances.web;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is a short token of
 * safe characters, a new random one otherwise. The id goes into the logging MDC as
 * {@code requestId} (plain logs print it, structured JSON logs carry it as a field) and back
 * to the caller in the response header, so a report of a failed call can be found in the
 * logs. Runs before Spring Security, so rejected requests get an id too.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class RequestIdFilter extends OncePerRequestFilter {

	/** Header read from the caller and written on every response. */
	public static final String HEADER = "X-Request-Id";

	/** MDC key under which log lines carry the id. */
	public static final String MDC_KEY = "requestId";

	// Anything else (log injection, huge values) is replaced rather than echoed into logs.
	private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String requestId = requestIdFor(request.getHeader(HEADER));
		response.setHeader(HEADER, requestId);
		MDC.put(MDC_KEY, requestId);
		try {
			chain.doFilter(request, response);
		}
		finally {
			MDC.remove(MDC_KEY);
		}
	}

	static String requestIdFor(@Nullable String supplied) {
		if (supplied != null && SAFE.matcher(supplied).matches()) {
			return supplied;
		}
		return newRequestId();
	}

	/**
	 * A random version-4 UUID. The id only correlates log lines and is no secret, so it comes
	 * from the request thread's own ThreadLocalRandom: UUID.randomUUID draws from one JVM-wide
	 * SecureRandom, which request threads queued for under load (docs/performance.md).
	 */
	static String newRequestId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long high = (random.nextLong() & ~0xF000L) | 0x4000L;
		long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
		return new UUID(high, low).toString();
	}

}
