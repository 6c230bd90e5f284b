package dev.klingbalances.store;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.klingbalances.notify.ConditionKey;
import dev.klingbalances.notify.NotificationStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The notification state in Redis, so that several replicas (all evaluating the same conditions)
 * and restarts send each transition once: per webhook a hash of the firing conditions
 * ({@code <prefix>notify:firing:<webhook>}, field = the condition's id, value = the condition and
 * since when it fires), and one hash of since when each condition has held
 * ({@code <prefix>notify:holding}). {@code HSETNX} is the hash form of {@code SET NX}: only the
 * replica whose call set the field sends FIRING; {@code HDEL} returning 1 likewise for RESOLVED.
 * Without Redis every call fails with {@link dev.klingbalances.balance.StoreUnavailableException}: that evaluation is
 * skipped (nothing is sent twice, nothing is lost: the next evaluation with Redis sends it).
 */
final class RedisNotificationStateStore implements NotificationStateStore {

	private static final Logger logger = LoggerFactory.getLogger(RedisNotificationStateStore.class);

	private final StringRedisTemplate redis;

	private final StoreKeys keys;

	private final JsonMapper json;

	private final RedisStoreMonitor monitor;

	RedisNotificationStateStore(StringRedisTemplate redis, StoreKeys keys, JsonMapper json, RedisStoreMonitor monitor) {
		this.redis = redis;
		this.keys = keys;
		this.json = json;
		this.monitor = monitor;
	}

	@Override
	public Set<ConditionKey> firing(String webhook) {
		List<Object> values = call(() -> this.redis.opsForHash().values(this.keys.firing(webhook)));
		Set<ConditionKey> firing = new HashSet<>();
		for (Object value : values) {
			try {
				firing.add(this.json.readValue(value.toString(), Firing.class).condition());
			}
			catch (JacksonException ex) {
				logger.warn("Ignored an unreadable firing condition of webhook '{}'", webhook);
			}
		}
		return firing;
	}

	@Override
	public boolean markFiring(String webhook, ConditionKey condition, Instant at) {
		String value = this.json.writeValueAsString(new Firing(condition, at));
		return Boolean.TRUE.equals(call(() -> this.redis.opsForHash().putIfAbsent(this.keys.firing(webhook), condition.id(), value)));
	}

	@Override
	public boolean markResolved(String webhook, ConditionKey condition) {
		Long removed = call(() -> this.redis.opsForHash().delete(this.keys.firing(webhook), condition.id()));
		return removed != null && removed == 1;
	}

	@Override
	public Instant holdingSince(ConditionKey condition, Instant now) {
		Object since = call(() -> {
			this.redis.opsForHash().putIfAbsent(this.keys.holding(), condition.id(), now.toString());
			return this.redis.opsForHash().get(this.keys.holding(), condition.id());
		});
		return (since != null) ? Instant.parse(since.toString()) : now;
	}

	@Override
	public void cleared(ConditionKey condition) {
		call(() -> this.redis.opsForHash().delete(this.keys.holding(), condition.id()));
	}

	private <T> T call(Supplier<T> operation) {
		return this.monitor.call(operation);
	}

	/** A firing condition as stored: the key itself (an id is not parsed back) and since when. */
	record Firing(ConditionKey condition, Instant since) {
	}

}
