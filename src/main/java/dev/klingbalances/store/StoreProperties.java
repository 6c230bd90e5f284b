package dev.klingbalances.store;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the state replicas share lives ({@code balances.store.*}). The Redis connection itself is
 * Spring Boot's {@code spring.data.redis.*} (host, port or url, password, TLS, timeouts).
 *
 * @param type {@code memory} (one replica, nothing else to run) or {@code redis} (any number of
 * replicas sharing one Redis)
 * @param keyPrefix put before every Redis key and channel name, so several deployments can share
 * one Redis; no braces (on a Redis Cluster they would choose the keys' hash slot)
 * @param leaderLockExpiry how long the leader's lock lives without being renewed: a leader that
 * dies is replaced after at most this long (it is renewed several times within it)
 * @param checkInterval how often Redis is checked (health, {@code balances_store_up}); when it
 * answers again after an outage, every replica re-reads the shared snapshots
 */
@Validated
@ConfigurationProperties("balances.store")
public record StoreProperties(@NotNull @DefaultValue("memory") StoreType type,
		@NotBlank @DefaultValue("kling-balances:") String keyPrefix,
		@NotNull @DefaultValue("10s") Duration leaderLockExpiry, @NotNull @DefaultValue("5s") Duration checkInterval) {

	@AssertTrue(message = "balances.store.leader-lock-expiry must be at least 1s")
	boolean isLeaderLockExpiryLongEnough() {
		return this.leaderLockExpiry.compareTo(Duration.ofSeconds(1)) >= 0;
	}

	@AssertTrue(message = "balances.store.key-prefix must not contain '{' or '}': on a Redis Cluster they choose a key's hash slot")
	boolean isKeyPrefixWithoutBraces() {
		return this.keyPrefix == null || (this.keyPrefix.indexOf('{') < 0 && this.keyPrefix.indexOf('}') < 0);
	}

	@AssertTrue(message = "balances.store.check-interval must be positive")
	boolean isCheckIntervalPositive() {
		return !this.checkInterval.isNegative() && !this.checkInterval.isZero();
	}

	/** The store the replicas share. */
	public enum StoreType {

		/** This process only: one replica. */
		MEMORY,

		/** Redis: any number of replicas. */
		REDIS

	}

}
