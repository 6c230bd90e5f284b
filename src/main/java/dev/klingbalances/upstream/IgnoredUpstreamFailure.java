package dev.klingbalances.upstream;

import java.util.function.Predicate;

/**
 * Resilience4j circuit-breaker predicate (named in {@code application.yml}): a failure that is
 * not an outcome of the upstream's health counts neither as a failure nor as a success. That is
 * everything {@link UnavailableUpstreamFailure} does not record: our own full bulkhead, a 429,
 * a refused credential, an account state, an unreadable answer. Counted as successes (Resilience4j's
 * default for an exception it does not record), a storm of such refusals during an outage would
 * dilute the failure rate until the circuit never opens.
 */
public class IgnoredUpstreamFailure implements Predicate<Throwable> {

	private final UnavailableUpstreamFailure unavailable = new UnavailableUpstreamFailure();

	@Override
	public boolean test(Throwable failure) {
		return !this.unavailable.test(failure);
	}

}
