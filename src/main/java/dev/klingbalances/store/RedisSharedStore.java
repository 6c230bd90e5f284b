package dev.klingbalances.store;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.cache.SharedEntries;
import dev.klingbalances.cache.SharedStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The caches' entries in Redis: one JSON string per entry ({@code <prefix>cache:<cache>:<key>},
 * living {@code balances.cache.max-stale} plus {@link #ENTRY_MARGIN}), a lease per fetch
 * ({@code SET NX PX} with a token of that fetch, given back by a compare-and-delete script), and a
 * notice on one channel for every write, which the other replicas take up (this replica ignores
 * its own). Every Redis failure becomes a
 * {@link dev.klingbalances.cache.StoreUnavailableException}.
 */
final class RedisSharedStore implements SharedStore {

	private static final Logger logger = LoggerFactory.getLogger(RedisSharedStore.class);

	/**
	 * How much longer than {@code balances.cache.max-stale} an entry lives in Redis (25 h by
	 * default; formerly {@code balances.store.entry-ttl}, which had to be kept above max-stale by
	 * hand): an entry is written when its snapshot is fetched, and stays servable max-stale after
	 * that; the hour covers a cache TTL of up to an hour on top and the pods' clocks.
	 */
	static final Duration ENTRY_MARGIN = Duration.ofHours(1);

	/**
	 * Deletes the lease only if the fetch's token still holds it (it may have expired and been
	 * taken by another fetch, of this replica or another).
	 */
	private static final RedisScript<Long> RELEASE = RedisScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""", Long.class);

	private final StringRedisTemplate redis;

	private final StoreKeys keys;

	private final Duration entryTtl;

	private final RedisStoreMonitor monitor;

	/** Reads numbers without a fraction's loss: a figure reads back exactly as it was written. */
	private final JsonMapper json;

	/** Identifies this replica's notices. */
	private final String instance = UUID.randomUUID().toString();

	private final ConcurrentMap<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();

	/** Told of every notice (cache, key) before the caches are, e.g. to mark copies derived from it stale. */
	private final List<BiConsumer<String, String>> beforeNotice = new CopyOnWriteArrayList<>();

	/**
	 * @param maxStale {@code balances.cache.max-stale}: an entry lives that long plus
	 * {@link #ENTRY_MARGIN}
	 */
	RedisSharedStore(StringRedisTemplate redis, RedisMessageListenerContainer container, JsonMapper json, StoreKeys keys,
			Duration maxStale, RedisStoreMonitor monitor) {
		this.redis = redis;
		this.keys = keys;
		this.entryTtl = maxStale.plus(ENTRY_MARGIN);
		this.monitor = monitor;
		this.json = json.rebuild().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
		container.addMessageListener(this::noticed, new ChannelTopic(keys.written()));
	}

	@Override
	public <V> SharedEntries<V> entries(String cache, Type valueType) {
		JavaType type = this.json.getTypeFactory()
			.constructParametricType(CachedValue.class, this.json.getTypeFactory().constructType(valueType));
		return new Entries<>(cache, type);
	}

	/** {@code hook} is told of every other replica's write (cache, key) before the caches take it up. */
	void beforeNotice(BiConsumer<String, String> hook) {
		this.beforeNotice.add(hook);
	}

	/** A notice from the channel: another replica wrote an entry. */
	private void noticed(Message message, byte @Nullable [] pattern) {
		Notice notice;
		try {
			notice = this.json.readValue(message.getBody(), Notice.class);
		}
		catch (JacksonException ex) {
			logger.warn("Ignored an unreadable notice on {}", this.keys.written());
			return;
		}
		if (this.instance.equals(notice.from())) {
			return;
		}
		this.beforeNotice.forEach((hook) -> hook.accept(notice.cache(), notice.key()));
		for (Consumer<String> listener : this.listeners.getOrDefault(notice.cache(), List.of())) {
			try {
				listener.accept(notice.key());
			}
			catch (RuntimeException ex) {
				logger.error("Listener of {} failed for a notice", notice.cache(), ex);
			}
		}
	}

	private <T> T call(Supplier<T> operation) {
		return this.monitor.call(operation);
	}

	/** What a replica publishes after writing an entry. */
	record Notice(String from, String cache, String key) {
	}

	private final class Entries<V> implements SharedEntries<V> {

		private final String cache;

		private final JavaType type;

		Entries(String cache, JavaType type) {
			this.cache = cache;
			this.type = type;
		}

		@Override
		public @Nullable CachedValue<V> read(String key) {
			String text = call(() -> redis.opsForValue().get(keys.entry(this.cache, key)));
			return parse(key, text);
		}

		@Override
		public Map<String, CachedValue<V>> readAll(Collection<String> wanted) {
			List<String> ordered = new ArrayList<>(wanted);
			List<String> names = ordered.stream().map((key) -> keys.entry(this.cache, key)).toList();
			List<String> texts = call(() -> redis.opsForValue().multiGet(names));
			Map<String, CachedValue<V>> read = new LinkedHashMap<>();
			for (int i = 0; texts != null && i < ordered.size(); i++) {
				CachedValue<V> entry = parse(ordered.get(i), texts.get(i));
				if (entry != null) {
					read.put(ordered.get(i), entry);
				}
			}
			return read;
		}

		@Override
		public void write(String key, CachedValue<V> entry) {
			String text = json.writeValueAsString(entry);
			String notice = json
				.writeValueAsString(new Notice(instance, this.cache, key));
			call(() -> {
				redis.opsForValue()
					.set(keys.entry(this.cache, key), text, entryTtl);
				return redis.convertAndSend(keys.written(), notice);
			});
		}

		@Override
		public @Nullable String tryLease(String key, Duration leaseTime) {
			String token = UUID.randomUUID().toString();
			Boolean taken = call(() -> redis.opsForValue()
				.setIfAbsent(keys.lease(this.cache, key), token, Duration.ofMillis(Math.max(1, leaseTime.toMillis()))));
			return Boolean.TRUE.equals(taken) ? token : null;
		}

		@Override
		public void release(String key, String token) {
			call(() -> redis.execute(RELEASE, List.of(keys.lease(this.cache, key)), token));
		}

		@Override
		public void onWrite(Consumer<String> listener) {
			RedisSharedStore.this.listeners.computeIfAbsent(this.cache, (name) -> new CopyOnWriteArrayList<>()).add(listener);
		}

		/** An entry another version wrote in a shape this one cannot read counts as absent (it is fetched again). */
		private @Nullable CachedValue<V> parse(String key, @Nullable String text) {
			if (text == null) {
				return null;
			}
			try {
				return json.readValue(text, this.type);
			}
			catch (JacksonException ex) {
				logger.warn("Ignored an unreadable shared entry of {} [{}]", this.cache, key);
				return null;
			}
		}

	}

}
