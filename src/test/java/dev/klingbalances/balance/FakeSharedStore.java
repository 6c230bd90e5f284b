package dev.klingbalances.balance;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
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

	/** The store can no longer be reached (or can again). */
	public void down(boolean down) {
		this.down.set(down);
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
