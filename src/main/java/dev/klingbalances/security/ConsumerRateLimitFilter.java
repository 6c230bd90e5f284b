package dev.klingbalances.security;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.klingbalances.web.ProblemCode;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One rate limit per consumer on the endpoints that cost upstream budget, so one runaway client
 * cannot spend it for everyone. Each consumer's policy is a Resilience4j limiter named
 * {@code consumer-<name>}, created from the configured {@code resilience4j.ratelimiter.configs}
 * entry unless an instance of that name is configured. Over the limit: 429 problem+json with
 * Retry-After.
 * <p>
 * With a {@link SharedConsumerBudget} (the Redis store) the replicas share each consumer's
 * budget: {@code limit-for-period} per {@code limit-refresh-period} for the whole deployment,
 * answered at once when spent ({@code timeout-duration} does not apply). While it cannot be read
 * the replica's own limiter decides (the limit is then per replica), never an error for the
 * request; such requests are counted and the switch is logged once each way. Without one (the
 * memory store) the limit is per replica.
 * <p>
 * Installed only where API keys are required, after the authorization filter: every request it
 * sees carries an authenticated consumer (an unauthenticated one was answered 401 before).
 */
final class ConsumerRateLimitFilter extends OncePerRequestFilter {

	private static final Logger logger = LoggerFactory.getLogger(ConsumerRateLimitFilter.class);

	private final RateLimiterRegistry registry;

	private final String configName;

	private final RequestMatcher limited;

	private final ProblemResponses problems;

	private final @Nullable SharedConsumerBudget shared;

	private final Counter decidedLocally;

	/** Whether the last request's limit came from this replica alone although a shared budget exists. */
	private final AtomicBoolean local = new AtomicBoolean();

	/**
	 * @param shared the budget every replica shares, or null: each replica limits on its own
	 */
	ConsumerRateLimitFilter(RateLimiterRegistry registry, String configName, RequestMatcher limited,
			ProblemResponses problems, @Nullable SharedConsumerBudget shared, MeterRegistry meterRegistry) {
		this.registry = registry;
		this.configName = configName;
		this.limited = limited;
		this.problems = problems;
		this.shared = shared;
		this.decidedLocally = Counter.builder("balances.consumer.limit.local")
			.description("Requests whose consumer rate limit this replica decided alone: the shared budget (Redis) "
					+ "could not be read")
			.register(meterRegistry);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !this.limited.matches(request);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (admit(request, response, consumer(request))) {
			chain.doFilter(request, response);
		}
	}

	/**
	 * Takes one request from the consumer's budget.
	 * @return true when the request may go ahead; false when it is over the limit and the 429
	 * (with Retry-After) has been written
	 */
	boolean admit(HttpServletRequest request, HttpServletResponse response, String consumer) throws IOException {
		RateLimiter limiter = limiterFor(consumer);
		long waitNanos = take(consumer, limiter);
		if (waitNanos == 0) {
			return true;
		}
		RateLimiterConfig config = limiter.getRateLimiterConfig();
		// Whole seconds until a request is free again, at least 1 (Retry-After has no fractions).
		long retryAfter = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
		response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
		this.problems.write(request, response, ProblemCode.TOO_MANY_REQUESTS,
				"Consumer '" + consumer + "' is limited to " + config.getLimitForPeriod() + " requests per "
						+ format(config.getLimitRefreshPeriod()) + "; retry after " + retryAfter + " s.");
		return false;
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

	/** Takes a request from the consumer's budget: 0 when it may go ahead, otherwise the wait in nanoseconds. */
	private long take(String consumer, RateLimiter limiter) {
		if (this.shared != null) {
			RateLimiterConfig config = limiter.getRateLimiterConfig();
			try {
				long waitMillis = this.shared.take(consumer, config.getLimitForPeriod(), config.getLimitRefreshPeriod());
				if (this.local.compareAndSet(true, false)) {
					logger.info("Consumer rate limits are shared by the replicas again");
				}
				return TimeUnit.MILLISECONDS.toNanos(waitMillis);
			}
			catch (RuntimeException ex) {
				this.decidedLocally.increment();
				if (this.local.compareAndSet(false, true)) {
					logger.warn("The shared consumer budgets cannot be read ({}): each replica limits its consumers "
							+ "on its own until they can", ex.getClass().getSimpleName());
				}
			}
		}
		if (limiter.acquirePermission()) {
			return 0;
		}
		long nanos = (limiter instanceof AtomicRateLimiter atomic) ? atomic.getDetailedMetrics().getNanosToWait()
				: limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
		return Math.max(1, nanos);
	}

	private static String format(Duration period) {
		return (period.toMillis() % 1000 == 0) ? period.toSeconds() + " s" : period.toMillis() + " ms";
	}

}
