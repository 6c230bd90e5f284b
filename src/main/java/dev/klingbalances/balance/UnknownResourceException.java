package dev.klingbalances.balance;

/** A provider or account path that this service does not serve (answered 404). */
public class UnknownResourceException extends RuntimeException {

	public UnknownResourceException(String message) {
		super(message);
	}

}
