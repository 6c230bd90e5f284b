package dev.klingbalances.security;

import java.time.Duration;

/**
 * Each consumer's request budget, shared by every replica (the Redis store provides one), so
 * that three replicas allow a consumer the configured rate, not three times it. Without one,
 * and while it cannot answer, each replica decides with its own Resilience4j limiter.
 */
public interface SharedConsumerBudget {

	/**
	 * Takes one request from the consumer's budget: {@code limitForPeriod} requests per
	 * {@code period} across every replica, the period starting with its first request (as
	 * Resilience4j refills its limiters).
	 * @return 0 when the request may go ahead, otherwise the milliseconds until the budget refills
	 * @throws RuntimeException when the budget cannot be read (the caller decides locally)
	 */
	long take(String consumer, int limitForPeriod, Duration period);

}
