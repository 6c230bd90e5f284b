package dev.klingbalances.cache;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * A shared store in this process's memory, standing in for Redis in tests of several replicas:
 * entries, leases that expire, write notices delivered on another thread (as a subscription
 * would), and an outage switch.
 */
public final class FakeSharedStore implements SharedStore {

	private final Map<String, FakeEntries<?>> caches = new ConcurrentHashMap<>();

	private final ExecutorService notices = Executors.newSingleThreadExecutor();

	private final AtomicBoolean down = new AtomicBoolean();

	private final AtomicBoolean dropNotices = new AtomicBoolean();

	/** Counted down by a write as it starts waiting for {@link #writesOpen}. */
	private volatile CountDownLatch writeWaiting = new CountDownLatch(0);

	private volatile CountDownLatch writesOpen = new CountDownLatch(0);

	private final AtomicInteger refusedLeases = new AtomicInteger();

	/** The store can no longer be reached (or can again). */
	public void down(boolean down) {
		this.down.set(down);
	}

	/**
	 * Writes wait until {@code open} counts down (a slow store); {@code waiting} counts down as
	 * each write starts waiting.
	 */
	public void holdWrites(CountDownLatch waiting, CountDownLatch open) {
		this.writeWaiting = waiting;
		this.writesOpen = open;
	}

	/** Whether a fetch holds the lease of {@code key} in {@code cache} now. */
	public boolean leased(String cache, String key) {
		FakeEntries<?> entries = this.caches.get(cache);
		Object[] lease = (entries != null) ? entries.leases.get(key) : null;
		return lease != null && (long) lease[1] - System.nanoTime() > 0;
	}

	/** How many times a lease was refused because another fetch held it. */
	public int refusedLeases() {
		return this.refusedLeases.get();
	}

	/** Write notices are lost (a dropped subscription), or delivered again. */
	public void dropNotices(boolean drop) {
		this.dropNotices.set(drop);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <V> SharedEntries<V> entries(String cache, Type valueType) {
		return (SharedEntries<V>) this.caches.computeIfAbsent(cache, (name) -> new FakeEntries<>());
	}

	/** A second replica's view of the same store: same entries and leases, its own listeners. */
	public SharedStore replica() {
		FakeSharedStore store = this;
		return new SharedStore() {
			@Override
			@SuppressWarnings("unchecked")
			public <V> SharedEntries<V> entries(String cache, Type valueType) {
				FakeEntries<V> entries = (FakeEntries<V>) store.entries(cache, valueType);
				return entries.replica();
			}
		};
	}

	private void check() {
		if (this.down.get()) {
			throw new StoreUnavailableException("The fake store is down", new IllegalStateException("down"));
		}
	}

	private final class FakeEntries<V> implements SharedEntries<V> {

		private final Map<String, CachedValue<V>> values = new ConcurrentHashMap<>();

		/** Key → (the fetch's token, nanoTime it expires). */
		private final Map<String, Object[]> leases = new ConcurrentHashMap<>();

		private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

		private final FakeEntries<V> root;

		FakeEntries() {
			this.root = this;
		}

		private FakeEntries(FakeEntries<V> root) {
			this.root = root;
		}

		FakeEntries<V> replica() {
			return new FakeEntries<>(this.root);
		}

		@Override
		public @Nullable CachedValue<V> read(String key) {
			check();
			return this.root.values.get(key);
		}

		@Override
		public Map<String, CachedValue<V>> readAll(Collection<String> keys) {
			check();
			Map<String, CachedValue<V>> read = new LinkedHashMap<>();
			keys.forEach((key) -> {
				CachedValue<V> value = this.root.values.get(key);
				if (value != null) {
					read.put(key, value);
				}
			});
			return read;
		}

		@Override
		public void write(String key, CachedValue<V> entry) {
			check();
			FakeSharedStore.this.writeWaiting.countDown();
			try {
				FakeSharedStore.this.writesOpen.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.root.values.put(key, entry);
			if (!FakeSharedStore.this.dropNotices.get()) {
				this.root.allListeners().forEach((listener) -> FakeSharedStore.this.notices.execute(() -> listener.accept(key)));
			}
		}

		@Override
		public @Nullable String tryLease(String key, Duration leaseTime) {
			check();
			synchronized (this.root.leases) {
				Object[] lease = this.root.leases.get(key);
				if (lease != null && (long) lease[1] - System.nanoTime() > 0) {
					FakeSharedStore.this.refusedLeases.incrementAndGet();
					return null;
				}
				String token = UUID.randomUUID().toString();
				this.root.leases.put(key, new Object[] { token, System.nanoTime() + leaseTime.toNanos() });
				return token;
			}
		}

		@Override
		public void release(String key, String token) {
			check();
			synchronized (this.root.leases) {
				Object[] lease = this.root.leases.get(key);
				if (lease != null && token.equals(lease[0])) {
					this.root.leases.remove(key);
				}
			}
		}

		@Override
		public void onWrite(Consumer<String> listener) {
			this.listeners.add(listener);
			this.root.replicas.add(this);
		}

		private final List<FakeEntries<V>> replicas = new CopyOnWriteArrayList<>();

		private List<Consumer<String>> allListeners() {
			return this.replicas.stream().flatMap((replica) -> replica.listeners.stream()).toList();
		}

	}

}
