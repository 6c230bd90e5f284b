package dev.klingbalances.store;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.klingbalances.notify.ConditionKey;
import dev.klingbalances.notify.NotificationEvent;
import dev.klingbalances.notify.NotificationStateStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The notification state and outbox in Redis, so that several replicas (all evaluating the same
 * conditions) and restarts send each transition once, and a notice not yet delivered survives
 * its replica: per webhook a hash of the firing conditions ({@code <prefix>notify:firing:<webhook>},
 * field = the condition's id, value = the condition and since when it fires) and a list of the
 * undelivered notices, oldest first ({@code <prefix>notify:outbox:<webhook>}, JSON); and one hash
 * of since when each condition has held ({@code <prefix>notify:holding}). A mark and its notice
 * are one script: only the replica whose script changed the hash queues its notice. Removing or
 * postponing a notice checks that the list's head is still the notice (event id and attempts) the
 * caller read.
 * Without Redis every call fails with {@link dev.klingbalances.balance.StoreUnavailableException}: that evaluation is
 * skipped (nothing is sent twice, nothing is lost: the next evaluation with Redis sends it).
 */
final class RedisNotificationStateStore implements NotificationStateStore {

	private static final Logger logger = LoggerFactory.getLogger(RedisNotificationStateStore.class);

	/**
	 * KEYS: the webhook's firing hash, its outbox. ARGV: 1 to mark firing (0 to mark resolved),
	 * the condition's id, its firing value, the notice, the outbox's capacity.
	 * Returns 1 when marked and queued, 0 when already so, -1 when the outbox is full.
	 */
	private static final RedisScript<Long> MARK = RedisScript.of("""
			local firing = redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1
			if firing == (ARGV[1] == '1') then
			  return 0
			end
			if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[5]) then
			  return -1
			end
			if ARGV[1] == '1' then
			  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
			else
			  redis.call('HDEL', KEYS[1], ARGV[2])
			end
			redis.call('RPUSH', KEYS[2], ARGV[4])
			return 1
			""", Long.class);

	/**
	 * KEYS: the outbox. ARGV: the event id and attempts of the notice expected at its head, its
	 * replacement ('' to remove it).
	 */
	private static final RedisScript<Long> REPLACE_HEAD = RedisScript.of("""
			local head = redis.call('LINDEX', KEYS[1], 0)
			if not head then
			  return 0
			end
			local notice = cjson.decode(head)
			if notice.event.id ~= ARGV[1] or tonumber(notice.attempts) ~= tonumber(ARGV[2]) then
			  return 0
			end
			if ARGV[3] == '' then
			  redis.call('LPOP', KEYS[1])
			else
			  redis.call('LSET', KEYS[1], 0, ARGV[3])
			end
			return 1
			""", Long.class);

	/** KEYS: the outbox. ARGV: the exact text expected at its head, removed when it is. */
	private static final RedisScript<Long> REMOVE_EXACT_HEAD = RedisScript.of("""
			if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
			  redis.call('LPOP', KEYS[1])
			  return 1
			end
			return 0
			""", Long.class);

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
	public Mark markFiring(String webhook, ConditionKey condition, NotificationEvent notice, int capacity) {
		return mark(webhook, condition, true, this.json.writeValueAsString(new Firing(condition, notice.occurredAt())),
				notice, capacity);
	}

	@Override
	public Mark markResolved(String webhook, ConditionKey condition, NotificationEvent notice, int capacity) {
		return mark(webhook, condition, false, "", notice, capacity);
	}

	private Mark mark(String webhook, ConditionKey condition, boolean firing, String value, NotificationEvent notice,
			int capacity) {
		String queued = this.json.writeValueAsString(Notice.of(notice));
		Long result = call(() -> this.redis.execute(MARK, List.of(this.keys.firing(webhook), this.keys.outbox(webhook)),
				firing ? "1" : "0", condition.id(), value, queued, Integer.toString(capacity)));
		long marked = (result != null) ? result : 0;
		return (marked == 1) ? Mark.MARKED : (marked < 0) ? Mark.OUTBOX_FULL : Mark.UNCHANGED;
	}

	@Override
	public @Nullable Notice next(String webhook) {
		while (true) {
			String head = call(() -> this.redis.opsForList().index(this.keys.outbox(webhook), 0));
			if (head == null) {
				return null;
			}
			try {
				return this.json.readValue(head, Notice.class);
			}
			catch (JacksonException ex) {
				// Unreadable (written by an incompatible version): it would block every later notice.
				call(() -> this.redis.execute(REMOVE_EXACT_HEAD, List.of(this.keys.outbox(webhook)), head));
				logger.warn("Dropped an unreadable notice from the outbox of webhook '{}'", webhook);
			}
		}
	}

	@Override
	public boolean remove(String webhook, Notice notice) {
		return replaceHead(webhook, notice, "");
	}

	@Override
	public boolean postpone(String webhook, Notice notice, Notice later) {
		return replaceHead(webhook, notice, this.json.writeValueAsString(later));
	}

	/** A notice is the one expected when its event and its count of attempts are: each attempt changes the count. */
	private boolean replaceHead(String webhook, Notice expected, String replacement) {
		Long replaced = call(() -> this.redis.execute(REPLACE_HEAD, List.of(this.keys.outbox(webhook)),
				expected.event().id(), Integer.toString(expected.attempts()), replacement));
		return replaced != null && replaced == 1;
	}

	@Override
	public int size(String webhook) {
		Long size = call(() -> this.redis.opsForList().size(this.keys.outbox(webhook)));
		return (size != null) ? size.intValue() : 0;
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
