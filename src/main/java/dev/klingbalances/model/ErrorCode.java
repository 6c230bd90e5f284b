package dev.klingbalances.model;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Stable, documented codes reported in {@code error.code} when an account could not be read.
 * Clients may switch on these names: they are part of the API contract.
 */
@Schema(enumAsRef = true, description = "Why an account could not be read (the values are described in the OpenAPI document)")
public enum ErrorCode {

	AUTHENTICATION_FAILED(FailureClass.AUTHENTICATION, "The upstream refused the configured credentials."),
	ACCOUNT_SUSPENDED(FailureClass.ACCOUNT_STATE, "The upstream reports an exception on the account."),
	ACCOUNT_IN_ARREARS(FailureClass.ACCOUNT_STATE, "The account is in arrears."),
	PACKS_DEPLETED(FailureClass.ACCOUNT_STATE, "The account's resource packs are used up or expired."),
	PERMISSION_DENIED(FailureClass.ACCOUNT_STATE, "The credentials have no permission for this resource."),
	IP_NOT_ALLOWED(FailureClass.ACCOUNT_STATE, "The upstream's IP whitelist policy refused this service's address."),
	SUBSCRIPTION_REQUIRED(FailureClass.ACCOUNT_STATE, "The useapi.net subscription has lapsed."),
	THROTTLED(FailureClass.THROTTLED, "The upstream rate-limited the request, or too many upstream calls were in flight here."),
	UPSTREAM_UNAVAILABLE(FailureClass.UNAVAILABLE, "The upstream failed, is in maintenance, or cut the connection."),
	UPSTREAM_TIMEOUT(FailureClass.UNAVAILABLE, "The upstream did not answer in time."),
	BAD_RESPONSE(FailureClass.BAD_RESPONSE, "The upstream's answer could not be read."),
	ACCOUNT_NOT_FOUND(FailureClass.NOT_FOUND, "The upstream does not know this account."),
	REQUEST_REJECTED(FailureClass.REJECTED, "The upstream rejected the request as invalid."),
	PENDING(FailureClass.PENDING, "The first fetch was still running at the response deadline."),
	STORE_UNAVAILABLE(FailureClass.UNAVAILABLE, "The shared store (Redis) could not be reached, so no upstream call was made; this replica's last figures are shown.");

	private final FailureClass failureClass;

	private final String description;

	ErrorCode(FailureClass failureClass, String description) {
		this.failureClass = failureClass;
		this.description = description;
	}

	public FailureClass failureClass() {
		return this.failureClass;
	}

	public String description() {
		return this.description;
	}

}
