package dev.klingbalances.notify;

/**
 * One delivery attempt that did not get a 2xx. The message is safe to log: a status or an
 * exception's class name, never the URL or a response body.
 */
final class DeliveryFailure extends RuntimeException {

	private final boolean retryable;

	DeliveryFailure(String message, boolean retryable) {
		super(message, null, false, false);
		this.retryable = retryable;
	}

	/** Worth another attempt: no answer, a timeout, 408, 429 or 5xx. */
	boolean retryable() {
		return this.retryable;
	}

}
