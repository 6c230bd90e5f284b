package dev.klingbalances.model;

/**
 * How an upstream failure is handled. Every {@link ErrorCode} belongs to exactly one class.
 */
public enum FailureClass {

	/** Credentials were refused. Kling gets one retry with a freshly signed token, then it is reported. */
	AUTHENTICATION(false),
	/** The account itself is in a state that blocks it (arrears, depleted, lapsed subscription). Never retried. */
	ACCOUNT_STATE(false),
	/** The upstream asked us to slow down. Retried after a pause, within the rate limits. */
	THROTTLED(true),
	/** The upstream is down, slow or cut the connection. Retried with backoff; counts towards the circuit breaker. */
	UNAVAILABLE(true),
	/** The upstream answered something we cannot read. Not retried: the same answer would come back. */
	BAD_RESPONSE(false),
	/** The upstream does not know the account. */
	NOT_FOUND(false),
	/** The upstream rejected our request as malformed: a bug or a configuration error on our side. */
	REJECTED(false),
	/** No answer yet: the first fetch is still running at the response deadline. */
	PENDING(false);

	private final boolean retryable;

	FailureClass(boolean retryable) {
		this.retryable = retryable;
	}

	public boolean retryable() {
		return this.retryable;
	}

}
