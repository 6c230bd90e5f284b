package dev.klingbalances.upstream;

import java.util.function.Predicate;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.UpstreamException;
import io.github.resilience4j.bulkhead.BulkheadFullException;

/**
 * Resilience4j retry predicate (named in {@code application.yml}): retries the failure classes
 * that are worth another try (throttled, unavailable) and a full local bulkhead; never account
 * states, bad responses, an open circuit, or a pacer's refusal to wait beyond the fetch's
 * deadline (a moment later the wait is no shorter and the deadline no later).
 */
public class RetryableUpstreamFailure implements Predicate<Throwable> {

	@Override
	public boolean test(Throwable failure) {
		if (failure instanceof PacingRefusedException) {
			return false;
		}
		if (failure instanceof UpstreamException upstream) {
			// A shared store that cannot be reached is not back a backoff later (its client fails
			// fast while disconnected); the fetch ends with the last good figures instead.
			return upstream.retryable() && upstream.code() != ErrorCode.STORE_UNAVAILABLE;
		}
		return failure instanceof BulkheadFullException;
	}

}
