package dev.klingbalances.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.klingbalances.balance.HistorySample;
import dev.klingbalances.balance.HistoryStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Every account's history in Redis, shared by the replicas and kept across restarts: a sorted set
 * per account ({@code <prefix>history:<provider>:<account>}), scored by the sample's time in
 * milliseconds, trimmed by age and count in the same script that appends (so no replica ever
 * sees it over its bounds), and expiring a window after its last sample.
 * <p>
 * Each replica keeps a copy of the series it has read, because every view it builds reads every
 * account's history: a copy is brought up to date (its new tail read) after another replica
 * announced a write for the account, and dropped when Redis answers again after an outage.
 * Without Redis, reads answer from the copy (or nothing: forecasts wait) and appends go to the
 * copy only, never failing the fetch that recorded them.
 */
final class RedisHistoryStore implements HistoryStore {

	private static final Logger logger = LoggerFactory.getLogger(RedisHistoryStore.class);

	/** The cache whose entries are an account's figures: {@code balances.<provider>} (BalanceService). */
	private static final String SNAPSHOT_CACHE_PREFIX = "balances.";

	/**
	 * KEYS: the series. ARGV: score, sample, oldest score kept, most samples kept, expiry (ms).
	 * One key only: on a Redis Cluster a script's keys must share a slot, and the series of
	 * different accounts do not (the account set is added to apart, see {@link #append}).
	 */
	private static final RedisScript<Long> APPEND = RedisScript.of("""
			redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
			redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
			local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
			if excess > 0 then
			  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
			end
			redis.call('PEXPIRE', KEYS[1], ARGV[5])
			return redis.call('ZCARD', KEYS[1])
			""", Long.class);

	private final StringRedisTemplate redis;

	private final StoreKeys keys;

	private final JsonMapper json;

	private final RedisStoreMonitor monitor;

	/** This replica's copies, by provider and account. */
	private final ConcurrentMap<String, Series> copies = new ConcurrentHashMap<>();

	RedisHistoryStore(StringRedisTemplate redis, StoreKeys keys, JsonMapper json, RedisStoreMonitor monitor,
			RedisSharedStore sharedStore) {
		this.redis = redis;
		this.keys = keys;
		this.json = json;
		this.monitor = monitor;
		sharedStore.beforeNotice(this::noticed);
		monitor.beforeResync(this.copies::clear);
	}

	@Override
	public void append(String provider, String account, HistorySample sample, Instant oldest, int maxSamples) {
		Series copy = this.copies.get(id(provider, account));
		if (copy != null) {
			copy.append(sample, oldest, maxSamples);
		}
		// The series expires a window (at least an hour) after its last sample: nothing in it is kept longer.
		Duration window = Duration.between(oldest, sample.at());
		long expiry = Math.max(window.toMillis(), 0) + Duration.ofHours(1).toMillis();
		try {
			this.redis.execute(APPEND, List.of(this.keys.history(provider, account)),
					Long.toString(sample.at().toEpochMilli()), this.json.writeValueAsString(sample),
					Long.toString(oldest.toEpochMilli()), Integer.toString(maxSamples), Long.toString(expiry));
		}
		catch (RuntimeException ex) {
			this.monitor.failed(ex);
			logger.warn("A history sample of {}/{} was kept by this replica only: Redis could not be reached", provider,
					account);
			if (copy == null) {
				this.copies.computeIfAbsent(id(provider, account), (key) -> new Series(List.of()))
					.append(sample, oldest, maxSamples);
			}
		}
	}

	@Override
	public @Nullable HistorySample last(String provider, String account) {
		List<HistorySample> samples = series(provider, account);
		return samples.isEmpty() ? null : samples.get(samples.size() - 1);
	}

	@Override
	public List<HistorySample> read(String provider, String account, Instant since) {
		return series(provider, account).stream().filter((sample) -> !sample.at().isBefore(since)).toList();
	}

	/** Only this replica's copies: the series in Redis expire by themselves a window after their last sample. */
	@Override
	public void forgetIdle(Instant oldest) {
		this.copies.values().removeIf((copy) -> {
			HistorySample last = copy.last();
			return last == null || last.at().isBefore(oldest);
		});
	}

	/** The series as this replica knows it: its copy, brought up to date or loaded when needed. */
	private List<HistorySample> series(String provider, String account) {
		String id = id(provider, account);
		Series copy = this.copies.get(id);
		try {
			if (copy == null) {
				List<HistorySample> loaded = load(provider, account, Double.NEGATIVE_INFINITY);
				copy = this.copies.computeIfAbsent(id, (key) -> new Series(loaded));
			}
			else if (copy.stale) {
				copy.stale = false;
				HistorySample last = copy.last();
				double tail = (last != null) ? last.at().toEpochMilli() : Double.NEGATIVE_INFINITY;
				List<HistorySample> added = load(provider, account, tail);
				// The oldest sample Redis still keeps: older ones were trimmed there, and go here too.
				Set<TypedTuple<String>> first = this.redis.opsForZSet().rangeWithScores(this.keys.history(provider, account), 0, 0);
				Double kept = (first == null || first.isEmpty()) ? null : first.iterator().next().getScore();
				copy.merge(added, (kept != null) ? kept.longValue() : Long.MAX_VALUE);
			}
		}
		catch (RuntimeException ex) {
			this.monitor.failed(ex);
			if (copy != null) {
				copy.stale = true;
			}
		}
		return (copy != null) ? copy.samples() : List.of();
	}

	/** The samples from {@code fromMillis} on (inclusive), oldest first. */
	private List<HistorySample> load(String provider, String account, double fromMillis) {
		Set<String> members = this.redis.opsForZSet()
			.rangeByScore(this.keys.history(provider, account), fromMillis, Double.POSITIVE_INFINITY);
		List<HistorySample> samples = new ArrayList<>();
		for (String member : (members != null) ? members : Set.<String>of()) {
			try {
				samples.add(this.json.readValue(member, HistorySample.class));
			}
			catch (JacksonException ex) {
				logger.warn("Ignored an unreadable history sample of {}/{}", provider, account);
			}
		}
		return samples;
	}

	/** Another replica wrote an account's figures (and so recorded a sample): the copy's tail is read again. */
	private void noticed(String cache, String key) {
		if (cache.startsWith(SNAPSHOT_CACHE_PREFIX)) {
			Series copy = this.copies.get(id(cache.substring(SNAPSHOT_CACHE_PREFIX.length()), key));
			if (copy != null) {
				copy.stale = true;
			}
		}
	}

	private static String id(String provider, String account) {
		return provider + '\n' + account;
	}

	/** One account's samples, oldest first. */
	private static final class Series {

		private List<HistorySample> samples;

		/** Another replica may have added samples since the copy was read. */
		volatile boolean stale;

		Series(List<HistorySample> samples) {
			this.samples = List.copyOf(samples);
		}

		synchronized List<HistorySample> samples() {
			return this.samples;
		}

		synchronized @Nullable HistorySample last() {
			return this.samples.isEmpty() ? null : this.samples.get(this.samples.size() - 1);
		}

		synchronized void append(HistorySample sample, Instant oldest, int maxSamples) {
			List<HistorySample> next = new ArrayList<>(this.samples);
			next.add(sample);
			trim(next, oldest, maxSamples);
			this.samples = List.copyOf(next);
		}

		/**
		 * Adds the samples read from Redis that the copy does not have yet, in time order, and
		 * drops those older than the oldest Redis keeps ({@code Long.MAX_VALUE}: it keeps none).
		 */
		synchronized void merge(List<HistorySample> read, long oldestKeptMillis) {
			List<HistorySample> next = new ArrayList<>(this.samples);
			next.removeIf((sample) -> sample.at().toEpochMilli() < oldestKeptMillis && !read.contains(sample));
			for (HistorySample sample : read) {
				if (!next.contains(sample)) {
					next.add(sample);
				}
			}
			next.sort(java.util.Comparator.comparing(HistorySample::at));
			this.samples = List.copyOf(next);
		}

		private static void trim(List<HistorySample> samples, Instant oldest, int maxSamples) {
			samples.removeIf((sample) -> sample.at().isBefore(oldest));
			while (samples.size() > maxSamples) {
				samples.remove(0);
			}
		}

	}

}
