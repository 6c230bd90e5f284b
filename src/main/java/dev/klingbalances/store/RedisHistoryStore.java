package dev.klingbalances.store;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.klingbalances.forecast.HistorySample;
import dev.klingbalances.forecast.HistoryStore;
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
 * The running consumption of a new sample is computed by the append script from the last sample
 * Redis holds, so it never rests on a copy that lacks another replica's latest sample.
 * Without Redis, reads answer from the copy (or nothing: forecasts wait) and appends go to the
 * copy only, never failing the fetch that recorded them.
 */
final class RedisHistoryStore implements HistoryStore {

	private static final Logger logger = LoggerFactory.getLogger(RedisHistoryStore.class);

	/** The cache whose entries are an account's figures: {@code balances.<provider>} (BalanceService). */
	private static final String SNAPSHOT_CACHE_PREFIX = "balances.";

	/**
	 * KEYS: the series only (on a Redis Cluster a script's keys must share a slot, and the series of
	 * different accounts do not). ARGV[2] is the sample without its consumption, ARGV[3] this step's consumption per product:
	 * the stored sample carries the running sums, continued from the series' last sample (every
	 * product of it, the step's added). Answers the stored sample.
	 */
	private static final RedisScript<String> APPEND = RedisScript.of("""
			local sums = {}
			local last = redis.call('ZRANGE', KEYS[1], -1, -1)
			if last[1] then
			  local ok, decoded = pcall(cjson.decode, last[1])
			  if ok and type(decoded) == 'table' and type(decoded.consumed) == 'table' then
			    for product, sum in pairs(decoded.consumed) do
			      sums[product] = tonumber(sum) or 0
			    end
			  end
			end
			for product, used in pairs(cjson.decode(ARGV[3])) do
			  sums[product] = (sums[product] or 0) + (tonumber(used) or 0)
			end
			local member = string.sub(ARGV[2], 1, -2) .. ',"consumed":' .. cjson.encode(sums) .. '}'
			redis.call('ZADD', KEYS[1], ARGV[1], member)
			redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])
			local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
			if excess > 0 then
			  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
			end
			redis.call('PEXPIRE', KEYS[1], ARGV[6])
			return member
			""", String.class);

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
		Map<String, BigDecimal> step = (sample.consumed() != null) ? sample.consumed() : Map.of();
		// The series expires a window (at least an hour) after its last sample: nothing in it is kept longer.
		Duration window = Duration.between(oldest, sample.at());
		long expiry = Math.max(window.toMillis(), 0) + Duration.ofHours(1).toMillis();
		HistorySample stored;
		try {
			String member = this.redis.execute(APPEND,
					List.of(this.keys.history(provider, account)),
					Long.toString(sample.at().toEpochMilli()), this.json.writeValueAsString(sample.withConsumed(null)),
					this.json.writeValueAsString(step), Long.toString(oldest.toEpochMilli()), Integer.toString(maxSamples),
					Long.toString(expiry));
			stored = this.json.readValue(member, HistorySample.class);
		}
		catch (RuntimeException ex) {
			this.monitor.failed(ex);
			logger.warn("A history sample of {}/{} was kept by this replica only: Redis could not be reached", provider,
					account);
			Series copy = this.copies.computeIfAbsent(id(provider, account), (key) -> new Series(List.of()));
			copy.append(sample.withConsumed(HistorySample.running(copy.last(), step)), oldest, maxSamples);
			return;
		}
		Series copy = this.copies.get(id(provider, account));
		if (copy != null) {
			copy.append(stored, oldest, maxSamples);
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
		int unreadable = 0;
		for (String member : (members != null) ? members : Set.<String>of()) {
			try {
				samples.add(this.json.readValue(member, HistorySample.class));
			}
			catch (JacksonException ex) {
				unreadable++;
			}
		}
		if (unreadable > 0) {
			// One line per load, not per sample: a version upgrade leaves a whole series of them.
			logger.warn("Ignored {} unreadable history sample(s) of {}/{} (written by an older version?)", unreadable,
					provider, account);
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
