package dev.klingbalances.security;

import java.io.IOException;
import java.time.Duration;

import dev.klingbalances.web.ProblemCode;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One Resilience4j rate limiter per consumer on the endpoints that cost upstream budget, so one
 * runaway client cannot spend it for everyone. Limiters are named {@code consumer-<name>} and
 * created from the configured {@code resilience4j.ratelimiter.configs} entry, unless an
 * instance of that name is configured. Over the limit: 429 problem+json with Retry-After.
 * <p>
 * Installed only where API keys are required, after the authorization filter: every request it
 * sees carries an authenticated consumer (an unauthenticated one was answered 401 before).
 */
final class ConsumerRateLimitFilter extends OncePerRequestFilter {

	private final RateLimiterRegistry registry;

	private final String configName;

	private final RequestMatcher limited;

	private final ProblemResponses problems;

	ConsumerRateLimitFilter(RateLimiterRegistry registry, String configName, RequestMatcher limited,
			ProblemResponses problems) {
		this.registry = registry;
		this.configName = configName;
		this.limited = limited;
		this.problems = problems;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !this.limited.matches(request);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String consumer = consumer(request);
		RateLimiter limiter = limiterFor(consumer);
		if (limiter.acquirePermission()) {
			chain.doFilter(request, response);
			return;
		}
		RateLimiterConfig config = limiter.getRateLimiterConfig();
		long retryAfter = retryAfterSeconds(limiter);
		response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
		this.problems.write(request, response, ProblemCode.TOO_MANY_REQUESTS,
				"Consumer '" + consumer + "' is limited to " + config.getLimitForPeriod() + " requests per "
						+ format(config.getLimitRefreshPeriod()) + "; retry after " + retryAfter + " s.");
	}

	RateLimiter limiterFor(String consumer) {
		String name = "consumer-" + consumer;
		return this.registry.find(name).orElseGet(() -> this.registry.rateLimiter(name, this.configName));
	}

	/** The authenticated consumer's name, set by {@link ApiKeyAuthenticationFilter}. */
	private static String consumer(HttpServletRequest request) {
		Object consumer = request.getAttribute(ApiKeyAuthenticationFilter.CONSUMER_ATTRIBUTE);
		if (consumer instanceof String name) {
			return name;
		}
		// Unreachable while the filter sits after authorization: a bug in the filter order, not
		// a request to let through unlimited or to lump together with others.
		throw new IllegalStateException("No authenticated consumer: " + ConsumerRateLimitFilter.class.getSimpleName()
				+ " must run after authorization");
	}

	/** Whole seconds until a permission is free again, at least 1 (Retry-After has no fractions). */
	private static long retryAfterSeconds(RateLimiter limiter) {
		long nanos = (limiter instanceof AtomicRateLimiter atomic) ? atomic.getDetailedMetrics().getNanosToWait()
				: limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
		return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
	}

	private static String format(Duration period) {
		return (period.toMillis() % 1000 == 0) ? period.toSeconds() + " s" : period.toMillis() + " ms";
	}

}
