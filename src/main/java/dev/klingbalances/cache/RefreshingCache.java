package dev.klingbalances.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.UpstreamException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A cache of upstream values with the semantics the service promises: one fetch at a time per
 * key however many callers ask (cold, expired or forced), freshness per TTL, failures
 * remembered for the error TTL (or as long as the upstream asked us to wait, if longer) while
 * the last good value stays servable (stale) for max-stale, and refresh-ahead at a point of the
 * TTL that is spread per key, so keys fetched together do not all come due together.
 * <p>
 * Fetches wait their turn in a bounded queue with a fixed number running at once, so a burst
 * (warm-up, hundreds of accounts) queues instead of overrunning the provider's own limits;
 * only a full queue refuses, as {@code THROTTLED}.
 * <p>
 * Values live in a bounded Caffeine cache (statistics on, its ticker driven by the injected
 * clock, exposed through Spring's cache abstraction for Actuator and Micrometer). Fetches never
 * fail the returned future: a failure completes it with an entry that carries the error.
 * {@link #version()} changes whenever an entry or the set of running fetches changes, so views
 * built from this cache know when to rebuild.
 */
public final class RefreshingCache<V> {

	private static final Logger logger = LoggerFactory.getLogger(RefreshingCache.class);

	/**
	 * How far before {@code refresh-ahead} a key's refresh point may lie, as a share of it: a
	 * quarter (0.6 to 0.8 of the TTL with the default 0.8; formerly
	 * {@code balances.cache.refresh-jitter}). Wide enough that accounts fetched together come due
	 * apart, and it follows refresh-ahead, so it never reaches below the start of the TTL.
	 */
	static final double REFRESH_SPREAD = 0.25;

	private final String name;

	private final Function<String, Mono<V>> loader;

	private final Duration ttl;

	private final CacheSettings settings;

	private final Clock clock;

	private final Cache<String, CachedValue<V>> entries;

	/** Keys asked for recently: the ones kept warm by {@link #refreshRequested()}. */
	private final Cache<String, Boolean> demand;

	/** Fetches queued or running, by key: the single flight. */
	private final ConcurrentMap<String, CompletableFuture<CachedValue<V>>> inFlight = new ConcurrentHashMap<>();

	private final FetchQueue queue;

	private final AtomicLong version = new AtomicLong();

	private final MeterRegistry meterRegistry;

	private volatile Listener<V> listener = (key, previous, next) -> {
	};

	/** The entries every replica shares (the Redis store); null with the memory store. */
	private final @Nullable SharedEntries<V> shared;

	/** Fetches waiting for another replica that holds the key's lease. */
	private final ConcurrentMap<String, CompletableFuture<CachedValue<V>>> awaitingRemote = new ConcurrentHashMap<>();

	/**
	 * Entries being shared (written, then their lease given back), by key: this replica's next
	 * fetch of the key asks for the lease only once that is done, so it never waits for its own
	 * replica's write as for another's (whose notice it would never get).
	 */
	private final ConcurrentMap<String, CompletableFuture<Void>> sharing = new ConcurrentHashMap<>();

	/**
	 * Leases of finished fetches that the store could not take back (it was down), by key: given
	 * back before this replica's next fetch of the key, which would otherwise wait for them to
	 * expire as for another replica's fetch.
	 */
	private final ConcurrentMap<String, String> unreleased = new ConcurrentHashMap<>();

	public RefreshingCache(String name, Function<String, Mono<V>> loader, Duration ttl, CacheSettings settings,
			Clock clock, MeterRegistry meterRegistry) {
		this(name, loader, ttl, settings, clock, meterRegistry, null);
	}

	/**
	 * @param shared the entries every replica shares, or null when this process is the only one
	 */
	public RefreshingCache(String name, Function<String, Mono<V>> loader, Duration ttl, CacheSettings settings,
			Clock clock, MeterRegistry meterRegistry, @Nullable SharedEntries<V> shared) {
		this(name, loader, ttl, settings, clock, meterRegistry, shared, settings.maxStale().plus(ttl));
	}

	/**
	 * @param shared the entries every replica shares, or null when this process is the only one
	 * @param keepFor how long an entry is kept after it was last written, or null to keep it
	 * until it is replaced or removed (an account list: its last good value outlives max-stale)
	 */
	public RefreshingCache(String name, Function<String, Mono<V>> loader, Duration ttl, CacheSettings settings,
			Clock clock, MeterRegistry meterRegistry, @Nullable SharedEntries<V> shared, @Nullable Duration keepFor) {
		this.name = name;
		this.shared = shared;
		this.loader = loader;
		this.ttl = ttl;
		this.settings = settings;
		this.clock = clock;
		this.meterRegistry = meterRegistry;
		Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
		Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(ticker).maximumSize(settings.maximumSize());
		if (keepFor != null) {
			builder.expireAfterWrite(keepFor);
		}
		this.entries = builder
			// Any removal (expiry, size, an explicit clear through Actuator or a test) changes views.
			.executor(Runnable::run)
			.<String, CachedValue<V>>removalListener((key, value, cause) -> this.version.incrementAndGet())
			.recordStats()
			.build();
		this.demand = Caffeine.newBuilder()
			.ticker(ticker)
			.maximumSize(settings.maximumSize())
			.expireAfterWrite(settings.keepWarmFor())
			.build();
		this.queue = new FetchQueue(settings.fetchConcurrency(), settings.fetchQueueCapacity());
		Gauge.builder("balances.fetch.queued", this.queue, FetchQueue::queued)
			.description("Fetches waiting for their turn")
			.tag("cache", name)
			.register(meterRegistry);
		Gauge.builder("balances.fetch.running", this.queue, FetchQueue::running)
			.description("Fetches running now")
			.tag("cache", name)
			.register(meterRegistry);
		if (shared != null) {
			shared.onWrite(this::adoptRemote);
		}
	}

	public String name() {
		return this.name;
	}

	public Duration ttl() {
		return this.ttl;
	}

	/** The Caffeine cache behind this one, for Actuator and metrics. */
	public Cache<String, CachedValue<V>> nativeCache() {
		return this.entries;
	}

	/** Changes whenever an entry is published or removed, or a fetch starts or ends. */
	public long version() {
		return this.version.get();
	}

	/** Called after an entry is published (history, notifications); must not block. */
	public void listen(Listener<V> listener) {
		this.listener = listener;
	}

	/**
	 * The current entry if it is fresh, otherwise the outcome of a fetch (joining one that is
	 * already queued or running). Never completes exceptionally.
	 * @param refresh fetch even if the entry is fresh (still joins a running fetch)
	 */
	public CompletableFuture<CachedValue<V>> get(String key, boolean refresh) {
		this.demand.put(key, Boolean.TRUE);
		CachedValue<V> current = this.entries.getIfPresent(key);
		Instant now = this.clock.instant();
		if (!refresh && isFresh(current, now)) {
			if (isDueForRefresh(key, current, now)) {
				load(key, current, true);
			}
			return CompletableFuture.completedFuture(current);
		}
		return load(key, current, refresh);
	}

	/**
	 * Like {@link #get} without refresh, but the key does not count as asked for, so warm-up
	 * alone does not keep it refreshed ahead.
	 */
	public CompletableFuture<CachedValue<V>> prefetch(String key) {
		CachedValue<V> current = peek(key);
		if (isFresh(current, this.clock.instant())) {
			return CompletableFuture.completedFuture(current);
		}
		return load(key, current, false);
	}

	/** The entry as it stands, without fetching and without counting a cache access. */
	public @Nullable CachedValue<V> peek(String key) {
		return this.entries.asMap().get(key);
	}

	/** Whether a fetch of this key is queued or running. */
	public boolean isLoading(String key) {
		return this.inFlight.containsKey(key);
	}

	/** Whether no fetch is queued or running. */
	public boolean isIdle() {
		return this.inFlight.isEmpty();
	}

	/** Marks keys as asked for, as {@link #get} does, without reading them. */
	public void touch(Collection<String> keys) {
		keys.forEach((key) -> this.demand.put(key, Boolean.TRUE));
	}

	/** Starts a fetch of each key that is missing, stale or past its refresh point. */
	public void refreshDue(Collection<String> keys) {
		Instant now = this.clock.instant();
		for (String key : keys) {
			CachedValue<V> current = peek(key);
			if (!isFresh(current, now)) {
				load(key, current, false);
			}
			else if (isDueForRefresh(key, current, now)) {
				load(key, current, true);
			}
		}
	}

	/** Refreshes, in the background, every recently requested key that is due. */
	public void refreshRequested() {
		refreshDue(Set.copyOf(this.demand.asMap().keySet()));
	}

	/** Drops the entries of keys that no longer exist (an account removed upstream). */
	public void retainOnly(Collection<String> keys) {
		Set<String> keep = Set.copyOf(keys);
		this.entries.asMap().keySet().removeIf((key) -> !keep.contains(key));
		this.demand.asMap().keySet().removeIf((key) -> !keep.contains(key));
	}

	/** Until when the entry answers without a fetch: the TTL, or the error's remembrance. */
	public Instant freshUntil(CachedValue<V> entry) {
		return entry.freshUntil(this.ttl, this.settings.errorTtl());
	}

	private boolean isFresh(@Nullable CachedValue<V> current, Instant now) {
		return current != null && now.isBefore(freshUntil(current));
	}

	/**
	 * A good value is refreshed ahead once it has lived its key's share of the TTL: between
	 * {@code refresh-ahead} less {@link #REFRESH_SPREAD} of it and {@code refresh-ahead}, fixed
	 * per key.
	 */
	private boolean isDueForRefresh(String key, CachedValue<V> current, Instant now) {
		if (current.error() != null || current.fetchedAt() == null) {
			return false;
		}
		return !now.isBefore(current.fetchedAt().plusMillis(refreshAfterMillis(key)));
	}

	public long refreshAfterMillis(String key) {
		// A stable spread in [0, 1) per key: its hash, mixed (MurmurHash3's finalizer) so that
		// similar names ("team-1", "team-2") land far apart.
		int hash = key.hashCode();
		hash ^= hash >>> 16;
		hash *= 0x85ebca6b;
		hash ^= hash >>> 13;
		hash *= 0xc2b2ae35;
		hash ^= hash >>> 16;
		double spread = (hash >>> 8) / (double) (1 << 24);
		double share = this.settings.refreshAhead() * (1 - REFRESH_SPREAD * spread);
		return (long) (this.ttl.toMillis() * share);
	}

	/**
	 * Joins the fetch of this key or starts one. {@code observed} is the entry the caller based
	 * its decision on: if a fetch published a newer one in between (its in-flight mark already
	 * gone), that fetch answers the caller and no second one starts.
	 * @param force fetch even when a replica sharing the store has a fresh entry (a refresh)
	 */
	private CompletableFuture<CachedValue<V>> load(String key, @Nullable CachedValue<V> observed, boolean force) {
		CompletableFuture<CachedValue<V>> mine = new CompletableFuture<>();
		CompletableFuture<CachedValue<V>> running = this.inFlight.putIfAbsent(key, mine);
		if (running != null) {
			return running;
		}
		CachedValue<V> latest = peek(key);
		if (latest != observed && latest != null) {
			this.inFlight.remove(key, mine);
			mine.complete(latest);
			return mine;
		}
		this.version.incrementAndGet();
		if (!this.queue.submit(() -> fetch(key, mine, force))) {
			UpstreamException full = new UpstreamException(ErrorCode.THROTTLED, "More than "
					+ this.settings.fetchQueueCapacity() + " fetches are waiting; this one was not queued.", null);
			finish(key, mine, null, full, System.nanoTime(), null);
		}
		return mine;
	}

	private void fetch(String key, CompletableFuture<CachedValue<V>> mine, boolean force) {
		if (this.shared == null) {
			fetchUpstream(key, mine, null);
			return;
		}
		CompletableFuture<Void> previousShare = this.sharing.getOrDefault(key, CompletableFuture.completedFuture(null));
		// The store is called synchronously: never on a request's or an event loop's thread.
		previousShare.whenComplete((done, failure) -> Schedulers.boundedElastic().schedule(() -> {
			String lease = takeTurn(key, mine, force);
			if (lease != null) {
				fetchUpstream(key, mine, lease);
			}
		}));
	}

	/** @param lease the token of this fetch's lease in the shared store; null without one */
	private void fetchUpstream(String key, CompletableFuture<CachedValue<V>> mine, @Nullable String lease) {
		long start = System.nanoTime();
		Mono<V> source;
		try {
			source = this.loader.apply(key);
		}
		catch (RuntimeException ex) {
			source = Mono.error(ex);
		}
		// The provider's pacing refuses a wait that could not end before this fetch times out.
		source.timeout(this.settings.loadTimeout())
			.contextWrite(FetchDeadline.of(start + this.settings.loadTimeout().toNanos()))
			.toFuture()
			.whenComplete((value, failure) -> {
				try {
					finish(key, mine, value, failure, start, lease);
				}
				finally {
					this.queue.done();
				}
			});
	}

	/**
	 * With a shared store: whether this replica should fetch the key now. Not when another
	 * replica's entry is fresh (it is taken over), nor when another replica holds the key's
	 * lease (its result is awaited), nor when the store cannot be reached (nothing is fetched
	 * without it). In those cases {@code mine} is completed here, and the queue slot given back.
	 * @return the token of this fetch's lease when it should fetch, else null
	 */
	private @Nullable String takeTurn(String key, CompletableFuture<CachedValue<V>> mine, boolean force) {
		SharedEntries<V> shared = Objects.requireNonNull(this.shared);
		CachedValue<V> remote;
		try {
			remote = shared.read(key);
			if (remote != null) {
				adopt(key, remote);
				if (!force && isFresh(remote, this.clock.instant())) {
					settle(key, mine, remote);
					return null;
				}
			}
			String left = this.unreleased.get(key);
			if (left != null) {
				shared.release(key, left);
				this.unreleased.remove(key, left);
			}
			String lease = shared.tryLease(key, leaseTime());
			if (lease != null) {
				return lease;
			}
		}
		catch (StoreUnavailableException ex) {
			AccountError error = new AccountError(ErrorCode.STORE_UNAVAILABLE,
					"The shared store could not be reached; no upstream call was made.", null, this.clock.instant());
			try {
				finish(key, mine, null, new UpstreamException(error.code(), error.message(), null), System.nanoTime(),
						null);
			}
			finally {
				this.queue.done();
			}
			return null;
		}
		awaitRemote(key, mine, remote);
		return null;
	}

	/**
	 * Another replica is fetching the key: take its result when it is written (or, should that
	 * notice be lost, when the lease would have run out).
	 */
	private void awaitRemote(String key, CompletableFuture<CachedValue<V>> mine, @Nullable CachedValue<V> seen) {
		this.awaitingRemote.put(key, mine);
		// Written between our read and our registration: no notice will come for it.
		CachedValue<V> written = readShared(key);
		if (written != null && isNewer(written, seen) && this.awaitingRemote.remove(key, mine)) {
			adopt(key, written);
			settle(key, mine, written);
			return;
		}
		Mono.delay(leaseTime()).subscribe((tick) -> {
			if (this.awaitingRemote.remove(key, mine)) {
				CachedValue<V> late = readShared(key);
				if (late != null && isNewer(late, seen)) {
					adopt(key, late);
					settle(key, mine, late);
				}
				else {
					AccountError error = new AccountError(ErrorCode.UPSTREAM_TIMEOUT,
							"Another replica's fetch did not finish within " + leaseTime().toSeconds() + " s.", null,
							this.clock.instant());
					CachedValue<V> previous = peek(key);
					settle(key, mine, (previous != null)
							? new CachedValue<>(previous.value(), previous.fetchedAt(), error, error.occurredAt(), null)
							: new CachedValue<>(null, null, error, error.occurredAt(), null));
				}
			}
		});
	}

	/** Another replica wrote the key: take its entry, and answer whoever waited for it here. */
	private void adoptRemote(String key) {
		CachedValue<V> written = readShared(key);
		if (written == null) {
			return;
		}
		adopt(key, written);
		CompletableFuture<CachedValue<V>> waiting = this.awaitingRemote.remove(key);
		if (waiting != null) {
			settle(key, waiting, written);
		}
	}

	/** Brings this replica's copies up to date with the shared store (a notice may have been lost). */
	public void resync() {
		if (this.shared == null) {
			return;
		}
		Set<String> keys = Set.copyOf(this.entries.asMap().keySet());
		if (keys.isEmpty()) {
			return;
		}
		try {
			this.shared.readAll(keys).forEach(this::adopt);
		}
		catch (StoreUnavailableException ex) {
			logger.debug("Shared store unavailable while resynchronising {}", this.name);
		}
	}

	/**
	 * Takes a shared entry when it is newer than this replica's copy, or when the copy only says
	 * the store could not be reached (stamped with the time of that failure, it would hide
	 * figures another replica wrote before it) and the shared entry's figures are no older.
	 */
	private void adopt(String key, CachedValue<V> remote) {
		CachedValue<V> local = peek(key);
		if (isNewer(remote, local) || replacesStoreFailure(remote, Objects.requireNonNull(local))) {
			this.entries.put(key, remote);
			this.version.incrementAndGet();
		}
	}

	private static <V> boolean isNewer(CachedValue<V> candidate, @Nullable CachedValue<V> than) {
		return than == null || candidate.checkedAt().isAfter(than.checkedAt());
	}

	private static <V> boolean replacesStoreFailure(CachedValue<V> remote, CachedValue<V> local) {
		if (local.error() == null || local.error().code() != ErrorCode.STORE_UNAVAILABLE) {
			return false;
		}
		return local.fetchedAt() == null
				|| (remote.fetchedAt() != null && !remote.fetchedAt().isBefore(local.fetchedAt()));
	}

	private @Nullable CachedValue<V> readShared(String key) {
		try {
			return Objects.requireNonNull(this.shared).read(key);
		}
		catch (StoreUnavailableException ex) {
			return null;
		}
	}

	/** Completes a fetch that ended without calling the upstream here, and gives its queue slot back. */
	private void settle(String key, CompletableFuture<CachedValue<V>> mine, CachedValue<V> entry) {
		try {
			this.inFlight.remove(key, mine);
			this.version.incrementAndGet();
			mine.complete(entry);
		}
		finally {
			this.queue.done();
		}
	}

	/** How long a replica may hold a key's lease: a fetch never runs longer (retries included). */
	private Duration leaseTime() {
		return this.settings.loadTimeout().plusSeconds(5);
	}

	/** @param lease the token of the fetch's lease: the entry is shared, and the lease given back; null: kept here */
	private void finish(String key, CompletableFuture<CachedValue<V>> mine, @Nullable V value, @Nullable Throwable failure,
			long start, @Nullable String lease) {
		Instant now = this.clock.instant();
		CachedValue<V> previous = peek(key);
		CachedValue<V> next;
		String outcome;
		if (failure == null && value != null) {
			next = new CachedValue<>(value, now, null, now, null);
			outcome = "success";
		}
		else {
			Throwable cause = unwrap(failure);
			AccountError error = toError(key, cause, now);
			Instant retryAt = (cause instanceof UpstreamException upstream && upstream.retryAfter() != null)
					? now.plus(upstream.retryAfter()) : null;
			next = (previous != null) ? new CachedValue<>(previous.value(), previous.fetchedAt(), error, now, retryAt)
					: new CachedValue<>(null, null, error, now, retryAt);
			outcome = error.code().name();
		}
		// Publish before leaving the in-flight map; a caller that read the entry before this
		// and misses the in-flight mark is answered with this entry (see load).
		this.entries.put(key, next);
		// Registered before leaving the in-flight map: this replica's next fetch of the key waits
		// for the share (see takeTurn).
		CompletableFuture<Void> sharing = (lease != null) ? new CompletableFuture<>() : null;
		if (sharing != null) {
			this.sharing.put(key, sharing);
		}
		this.inFlight.remove(key, mine);
		this.version.incrementAndGet();
		Timer.builder("balances.fetch")
			.description("Fetches of upstream values, including retries, by outcome")
			.tag("cache", this.name)
			.tag("outcome", outcome)
			.register(this.meterRegistry)
			.record(Duration.ofNanos(System.nanoTime() - start));
		try {
			this.listener.changed(key, previous, next);
		}
		catch (RuntimeException ex) {
			logger.error("Listener of {} failed for [{}]", this.name, key, ex);
		}
		if (sharing != null) {
			// Announced only after the listener recorded it (the history sample), so a replica
			// that builds its view on the notice finds the sample there.
			Schedulers.boundedElastic().schedule(() -> {
				try {
					share(key, next, lease);
				}
				finally {
					this.sharing.remove(key, sharing);
					sharing.complete(null);
				}
			});
		}
		mine.complete(next);
	}

	/** Writes the entry for the other replicas and gives the lease back; a store outage only costs them the news. */
	private void share(String key, CachedValue<V> entry, String lease) {
		SharedEntries<V> shared = Objects.requireNonNull(this.shared);
		try {
			shared.write(key, entry);
		}
		catch (StoreUnavailableException ex) {
			logger.warn("Could not share the entry of {} [{}]: the store is unavailable", this.name, key);
		}
		// Given back even when the write failed: should the store answer again, nobody waits for it.
		try {
			shared.release(key, lease);
		}
		catch (StoreUnavailableException ex) {
			this.unreleased.put(key, lease);
		}
	}

	private static @Nullable Throwable unwrap(@Nullable Throwable failure) {
		return (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null)
				? failure.getCause() : failure;
	}

	private AccountError toError(String key, @Nullable Throwable cause, Instant now) {
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

	/** Told about every published entry. */
	@FunctionalInterface
	public interface Listener<V> {

		void changed(String key, @Nullable CachedValue<V> previous, CachedValue<V> next);

	}

	/** At most {@code concurrency} fetches at once; up to {@code capacity} more wait in order. */
	private static final class FetchQueue {

		private final int concurrency;

		private final int capacity;

		private final Deque<Runnable> waiting = new ArrayDeque<>();

		private int running;

		FetchQueue(int concurrency, int capacity) {
			this.concurrency = concurrency;
			this.capacity = capacity;
		}

		/**
		 * Tasks started by a task that ended on the same thread (a fetch that completed at
		 * once starts the next): run one after another, not nested, so a long queue of
		 * instant fetches cannot overflow the stack.
		 */
		private static final ThreadLocal<Deque<Runnable>> trampoline = new ThreadLocal<>();

		/** Runs the fetch now or queues it; false when the queue is full. */
		boolean submit(Runnable fetch) {
			synchronized (this) {
				if (this.running >= this.concurrency) {
					if (this.waiting.size() >= this.capacity) {
						return false;
					}
					this.waiting.addLast(fetch);
					return true;
				}
				this.running++;
			}
			run(fetch);
			return true;
		}

		/** A fetch ended: the next one in line starts. */
		void done() {
			Runnable next;
			synchronized (this) {
				next = this.waiting.pollFirst();
				if (next == null) {
					this.running--;
					return;
				}
			}
			run(next);
		}

		private static void run(Runnable task) {
			Deque<Runnable> pending = trampoline.get();
			if (pending != null) {
				pending.addLast(task);
				return;
			}
			pending = new ArrayDeque<>();
			trampoline.set(pending);
			try {
				for (Runnable next = task; next != null; next = pending.pollFirst()) {
					next.run();
				}
			}
			finally {
				trampoline.remove();
			}
		}

		synchronized int queued() {
			return this.waiting.size();
		}

		synchronized int running() {
			return this.running;
		}

	}

}
