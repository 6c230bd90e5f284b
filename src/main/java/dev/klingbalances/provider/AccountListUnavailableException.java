package dev.klingbalances.provider;

import dev.klingbalances.model.AccountError;

/**
 * A provider's account list could not be read and none is cached, so it is unknown whether
 * the requested account exists (answered 503: retry later).
 */
public class AccountListUnavailableException extends RuntimeException {

	private final AccountError error;

	public AccountListUnavailableException(String provider, AccountError error) {
		super("The account list of provider '" + provider + "' is unavailable: " + error.message());
		this.error = error;
	}

	public AccountError error() {
		return this.error;
	}

}
