package dev.klingbalances.notify;

import java.util.function.Predicate;

/**
 * Resilience4j retry predicate of the {@code notify} instance (named in {@code application.yml}):
 * retries what another attempt may fix (no answer, a timeout, 408, 429, 5xx), never another 4xx.
 */
public class RetryableDeliveryFailure implements Predicate<Throwable> {

	@Override
	public boolean test(Throwable failure) {
		return failure instanceof DeliveryFailure delivery && delivery.retryable();
	}

}
