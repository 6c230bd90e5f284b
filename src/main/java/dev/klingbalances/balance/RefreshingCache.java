package dev.klingbalances.balance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A cache of upstream values with the semantics the service promises: one fetch at a time per
 * key however many callers ask (cold, expired or forced), freshness per TTL, failures
 * remembered for a short error TTL while the last good value stays servable (stale) for
 * max-stale, and refresh-ahead for keys that are being asked for.
 * <p>
 * Values live in a bounded Caffeine cache (statistics on, exposed through Spring's cache
 * abstraction for Actuator and Micrometer). Fetches never fail the returned future: a failure
 * completes it with an entry that carries the error.
 */
public final class RefreshingCache<K, V> {

	private static final Logger logger = LoggerFactory.getLogger(RefreshingCache.class);

	private final String name;

	private final Function<K, Mono<V>> loader;

	private final Duration ttl;

	private final BalancesProperties.Cache settings;

	private final Clock clock;

	private final Cache<K, CachedValue<V>> entries;

	/** Keys asked for recently: the ones kept warm by {@link #refreshAhead()}. */
	private final Cache<K, Boolean> demand;

	private final ConcurrentMap<K, CompletableFuture<CachedValue<V>>> inFlight = new ConcurrentHashMap<>();

	private final MeterRegistry meterRegistry;

	public RefreshingCache(String name, Function<K, Mono<V>> loader, Duration ttl, BalancesProperties.Cache settings,
			Clock clock, MeterRegistry meterRegistry) {
		this.name = name;
		this.loader = loader;
		this.ttl = ttl;
		this.settings = settings;
		this.clock = clock;
		this.meterRegistry = meterRegistry;
		this.entries = Caffeine.newBuilder()
			.maximumSize(settings.maximumSize())
			.expireAfterWrite(settings.maxStale().plus(ttl))
			.recordStats()
			.build();
		this.demand = Caffeine.newBuilder()
			.maximumSize(settings.maximumSize())
			.expireAfterWrite(settings.keepWarmFor())
			.build();
	}

	public String name() {
		return this.name;
	}

	public Duration ttl() {
		return this.ttl;
	}

	/** The Caffeine cache behind this one, for Actuator and metrics. */
	public Cache<K, CachedValue<V>> nativeCache() {
		return this.entries;
	}

	/**
	 * The current entry if it is fresh, otherwise the outcome of a fetch (joining one that is
	 * already running). Never completes exceptionally.
	 * @param refresh fetch even if the entry is fresh (still joins a running fetch)
	 */
	public CompletableFuture<CachedValue<V>> get(K key, boolean refresh) {
		this.demand.put(key, Boolean.TRUE);
		CachedValue<V> current = this.entries.getIfPresent(key);
		Instant now = this.clock.instant();
		if (!refresh && current != null && now.isBefore(current.freshUntil(this.ttl, this.settings.errorTtl()))) {
			if (isDueForRefresh(current, now)) {
				load(key);
			}
			return CompletableFuture.completedFuture(current);
		}
		return load(key);
	}

	/**
	 * Like {@link #get} without refresh, but the key does not count as asked for, so warm-up
	 * alone does not keep it refreshed ahead.
	 */
	public CompletableFuture<CachedValue<V>> prefetch(K key) {
		CachedValue<V> current = this.entries.asMap().get(key);
		if (current != null && this.clock.instant().isBefore(current.freshUntil(this.ttl, this.settings.errorTtl()))) {
			return CompletableFuture.completedFuture(current);
		}
		return load(key);
	}

	/** The entry as it stands, without fetching and without counting a cache access. */
	public @Nullable CachedValue<V> peek(K key) {
		return this.entries.asMap().get(key);
	}

	/** Refreshes, in the background, every recently requested key that is about to go stale. */
	public void refreshAhead() {
		Instant now = this.clock.instant();
		for (K key : this.demand.asMap().keySet()) {
			CachedValue<V> current = this.entries.asMap().get(key);
			if (current == null || !now.isBefore(current.freshUntil(this.ttl, this.settings.errorTtl()))
					|| isDueForRefresh(current, now)) {
				load(key);
			}
		}
	}

	private boolean isDueForRefresh(CachedValue<V> current, Instant now) {
		if (current.error() != null || current.fetchedAt() == null) {
			return false;
		}
		long aheadMillis = (long) (this.ttl.toMillis() * this.settings.refreshAhead());
		return !now.isBefore(current.fetchedAt().plusMillis(aheadMillis));
	}

	private CompletableFuture<CachedValue<V>> load(K key) {
		CompletableFuture<CachedValue<V>> mine = new CompletableFuture<>();
		CompletableFuture<CachedValue<V>> running = this.inFlight.putIfAbsent(key, mine);
		if (running != null) {
			return running;
		}
		long start = System.nanoTime();
		Mono<V> source;
		try {
			source = this.loader.apply(key);
		}
		catch (RuntimeException ex) {
			source = Mono.error(ex);
		}
		source.timeout(this.settings.loadTimeout())
			.toFuture()
			.whenComplete((value, failure) -> finish(key, mine, value, failure, start));
		return mine;
	}

	private void finish(K key, CompletableFuture<CachedValue<V>> mine, @Nullable V value, @Nullable Throwable failure,
			long start) {
		Instant now = this.clock.instant();
		CachedValue<V> previous = this.entries.asMap().get(key);
		CachedValue<V> next;
		String outcome;
		if (failure == null && value != null) {
			next = new CachedValue<>(value, now, null, now);
			outcome = "success";
		}
		else {
			AccountError error = toError(key, failure, now);
			next = (previous != null) ? new CachedValue<>(previous.value(), previous.fetchedAt(), error, now)
					: new CachedValue<>(null, null, error, now);
			outcome = error.code().name();
		}
		// Publish before leaving the in-flight map, so no caller sees neither and fetches twice.
		this.entries.put(key, next);
		this.inFlight.remove(key, mine);
		Timer.builder("balances.fetch")
			.description("Fetches of upstream values, including retries, by outcome")
			.tag("cache", this.name)
			.tag("outcome", outcome)
			.register(this.meterRegistry)
			.record(Duration.ofNanos(System.nanoTime() - start));
		mine.complete(next);
	}

	private AccountError toError(K key, @Nullable Throwable failure, Instant now) {
		Throwable cause = (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null)
				? failure.getCause() : failure;
		if (cause instanceof UpstreamException upstream) {
			return new AccountError(upstream.code(), upstream.getMessage(), upstream.upstreamStatus(), now);
		}
		if (cause instanceof TimeoutException) {
			return new AccountError(ErrorCode.UPSTREAM_TIMEOUT,
					"No answer within " + this.settings.loadTimeout().toSeconds() + " s, retries included.", null, now);
		}
		if (cause == null) {
			return new AccountError(ErrorCode.BAD_RESPONSE, "The upstream returned no value.", null, now);
		}
		// Not classified by the provider: report it as unavailable without echoing its message.
		logger.warn("Unclassified failure fetching {} [{}]: {}", this.name, key, cause.getClass().getName());
		return new AccountError(ErrorCode.UPSTREAM_UNAVAILABLE, "Unexpected failure reading the upstream.", null, now);
	}

}
