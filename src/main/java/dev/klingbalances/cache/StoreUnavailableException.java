package dev.klingbalances.cache;

import dev.klingbalances.model.ErrorCode;

/**
 * The shared store (Redis) could not be reached. The caches answer from this replica's copies,
 * marked stale with {@link ErrorCode#STORE_UNAVAILABLE}, and call no upstream without the store:
 * the rate rules are kept there.
 */
public class StoreUnavailableException extends RuntimeException {

	public StoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
