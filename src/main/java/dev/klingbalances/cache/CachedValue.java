package dev.klingbalances.cache;

import java.time.Duration;
import java.time.Instant;

import dev.klingbalances.model.AccountError;
import org.jspecify.annotations.Nullable;

/**
 * What the cache knows about one key: the last good value (if any) and the outcome of the
 * latest attempt. A failed attempt keeps the previous value, so it can be served stale.
 *
 * @param value last good value, or null when no fetch ever succeeded
 * @param fetchedAt when {@code value} was fetched
 * @param error the latest attempt's failure, or null when the latest attempt succeeded
 * @param checkedAt when the latest attempt finished
 * @param retryAt with an error: the upstream asked not to be called again before this
 * ({@code Retry-After}); null when it did not
 */
public record CachedValue<V>(@Nullable V value, @Nullable Instant fetchedAt, @Nullable AccountError error,
		Instant checkedAt, @Nullable Instant retryAt) {

	/** The value if it is still servable at {@code now}, however stale. */
	public @Nullable V servableValue(Instant now, Duration maxStale) {
		return (this.value != null && this.fetchedAt != null && now.isBefore(this.fetchedAt.plus(maxStale)))
				? this.value : null;
	}

	/**
	 * Until when this entry answers requests without a new fetch: the TTL after a success; the
	 * error TTL after a failure, or longer when the upstream asked for a longer pause.
	 */
	public Instant freshUntil(Duration ttl, Duration errorTtl) {
		if (this.error != null) {
			Instant remembered = this.checkedAt.plus(errorTtl);
			return (this.retryAt != null && this.retryAt.isAfter(remembered)) ? this.retryAt : remembered;
		}
		return (this.fetchedAt != null) ? this.fetchedAt.plus(ttl) : this.checkedAt;
	}

	/** True when the value is older than the TTL, or the latest attempt failed. */
	public boolean isStale(Instant now, Duration ttl) {
		return this.error != null || this.fetchedAt == null || !now.isBefore(this.fetchedAt.plus(ttl));
	}

}
