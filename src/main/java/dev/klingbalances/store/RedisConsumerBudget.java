package dev.klingbalances.store;

import java.time.Duration;
import java.util.List;

import dev.klingbalances.cache.StoreUnavailableException;
import dev.klingbalances.security.SharedConsumerBudget;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Every consumer's budget in Redis: one hash per consumer (start of its current period and the
 * requests taken in it), read and taken in one script on Redis' own clock, so one round trip
 * decides a request and the replicas' clocks never matter. While the store counts as down, no
 * call is made at all (the caller decides locally at no cost) until its check finds Redis back.
 */
final class RedisConsumerBudget implements SharedConsumerBudget {

	/**
	 * KEYS: the consumer's budget. ARGV: period (ms), limit. Returns 0 when a request is taken,
	 * otherwise the milliseconds until the period ends. The key expires with its period.
	 */
	private static final RedisScript<Long> TAKE = RedisScript.of("""
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
			local period = tonumber(ARGV[1])
			local start = tonumber(redis.call('HGET', KEYS[1], 'start') or '-1')
			if start < 0 or now >= start + period or now < start then
			  start = now
			  redis.call('HSET', KEYS[1], 'start', string.format('%.0f', start), 'taken', 0)
			  redis.call('PEXPIRE', KEYS[1], period)
			end
			if tonumber(redis.call('HGET', KEYS[1], 'taken')) >= tonumber(ARGV[2]) then
			  return start + period - now
			end
			redis.call('HINCRBY', KEYS[1], 'taken', 1)
			return 0
			""", Long.class);

	private final StringRedisTemplate redis;

	private final StoreKeys keys;

	private final RedisStoreMonitor monitor;

	RedisConsumerBudget(StringRedisTemplate redis, StoreKeys keys, RedisStoreMonitor monitor) {
		this.redis = redis;
		this.keys = keys;
		this.monitor = monitor;
	}

	@Override
	public long take(String consumer, int limitForPeriod, Duration period) {
		if (!this.monitor.isUp()) {
			throw new StoreUnavailableException("Redis is unavailable", null);
		}
		Long wait = this.monitor.call(() -> this.redis.execute(TAKE, List.of(this.keys.consumerBudget(consumer)),
				Long.toString(Math.max(1, period.toMillis())), Integer.toString(limitForPeriod)));
		return (wait != null && wait > 0) ? wait : 0;
	}

}
