package dev.klingbalances.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.balance.MutableClock;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.model.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas' caches over one shared store (a fake standing in for Redis): one upstream call
 * for a key however many replicas ask, a fresh shared entry taken over without a call, nothing
 * called while the store is down, a lost notice made up for by the resync.
 */
class SharedCacheTest {

	private static final Duration TTL = Duration.ofMinutes(2);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));

	private final CacheSettings settings = TestSettings.balances("balances.cache.load-timeout=1s").cache();

	private final FakeSharedStore store = new FakeSharedStore();

	private final AtomicInteger calls = new AtomicInteger();

	private final List<Sinks.One<String>> upstream = new ArrayList<>();

	/** The replica fetches team-a, the first call of the test, which answers {@code value}. */
	private void fetchedOnce(RefreshingCache<String> replica, String value) throws Exception {
		CompletableFuture<CachedValue<String>> first = replica.get("team-a", false);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.calls.get() == 1);
		this.upstream.get(0).tryEmitValue(value);
		first.get(5, TimeUnit.SECONDS);
	}

	private RefreshingCache<String> replica(SharedStore shared) {
		return new RefreshingCache<>("balances.test", (key) -> {
			this.calls.incrementAndGet();
			Sinks.One<String> answer = Sinks.one();
			synchronized (this.upstream) {
				this.upstream.add(answer);
			}
			return answer.asMono();
		}, TTL, this.settings, this.clock, new SimpleMeterRegistry(), shared.entries("balances.test", String.class));
	}

	@Test
	void aNewEntryIsAnnouncedOnlyAfterTheListenerRecordedIt() throws Exception {
		RefreshingCache<String> a = replica(this.store);
		CountDownLatch announced = new CountDownLatch(1);
		this.store.replica().<String>entries("balances.test", String.class).onWrite((key) -> announced.countDown());
		AtomicBoolean announcedBeforeRecorded = new AtomicBoolean();
		CountDownLatch recorded = new CountDownLatch(1);
		a.listen((key, previous, next) -> {
			try {
				// The history append takes a while: no notice may go out meanwhile.
				announcedBeforeRecorded.set(announced.await(500, TimeUnit.MILLISECONDS));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			recorded.countDown();
		});
		fetchedOnce(a, "118");
		assertThat(recorded.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(announced.await(5, TimeUnit.SECONDS)).as("announced after all").isTrue();
		assertThat(announcedBeforeRecorded).as("announced while the listener was still recording").isFalse();
	}

	@Test
	void replicasAskedAtOnceMakeOneUpstreamCall() throws Exception {
		RefreshingCache<String> a = replica(this.store);
		RefreshingCache<String> b = replica(this.store.replica());
		CompletableFuture<CachedValue<String>> first = a.get("team-a", false);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.calls.get() == 1);
		CompletableFuture<CachedValue<String>> second = b.get("team-a", true);
		await().atMost(Duration.ofSeconds(5)).until(() -> b.isLoading("team-a"));
		this.upstream.get(0).tryEmitValue("118");
		assertThat(first.get(5, TimeUnit.SECONDS).value()).isEqualTo("118");
		assertThat(second.get(5, TimeUnit.SECONDS).value()).as("taken from the other replica's fetch").isEqualTo("118");
		assertThat(this.calls).hasValue(1);
		assertThat(b.peek("team-a").value()).isEqualTo("118");
	}

	@Test
	void aFreshSharedEntryIsTakenOverWithoutACall() throws Exception {
		RefreshingCache<String> a = replica(this.store);
		RefreshingCache<String> b = replica(this.store.replica());
		fetchedOnce(a, "118");
		await().atMost(Duration.ofSeconds(5)).until(() -> b.peek("team-a") != null);
		assertThat(b.get("team-a", false).get(5, TimeUnit.SECONDS).value()).isEqualTo("118");
		assertThat(this.calls).hasValue(1);
	}

	@Test
	void aColdReplicaReadsTheStoreBeforeCalling() throws Exception {
		RefreshingCache<String> a = replica(this.store);
		fetchedOnce(a, "118");
		// A replica that starts later, with nothing of its own.
		RefreshingCache<String> late = replica(this.store.replica());
		assertThat(late.get("team-a", false).get(5, TimeUnit.SECONDS).value()).isEqualTo("118");
		assertThat(this.calls).hasValue(1);
	}

	@Test
	void nothingIsCalledWhileTheStoreIsDownAndTheLastFiguresStay() throws Exception {
		RefreshingCache<String> a = replica(this.store);
		fetchedOnce(a, "118");
		this.store.down(true);
		this.clock.advance(TTL);
		CachedValue<String> stale = a.get("team-a", false).get(5, TimeUnit.SECONDS);
		assertThat(stale.value()).isEqualTo("118");
		assertThat(stale.error().code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
		assertThat(this.calls).as("no upstream call without the store").hasValue(1);
		this.store.down(false);
		this.clock.advance(this.settings.errorTtl());
		CompletableFuture<CachedValue<String>> back = a.get("team-a", false);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.calls.get() == 2);
		this.upstream.get(1).tryEmitValue("100");
		assertThat(back.get(5, TimeUnit.SECONDS).value()).isEqualTo("100");
		assertThat(back.get().error()).isNull();
	}

	@Test
	void aReplicaThatDiesWhileFetchingBlocksTheKeyNoLongerThanItsLease() throws Exception {
		// A replica took the key's lease and died before writing anything.
		assertThat(this.store.replica().<String>entries("balances.test", String.class)
			.tryLease("team-a", Duration.ofMinutes(10))).isNotNull();
		RefreshingCache<String> b = replica(this.store.replica());
		long start = System.nanoTime();
		CachedValue<String> waited = b.get("team-a", false).get(30, TimeUnit.SECONDS);
		assertThat(waited.value()).isNull();
		assertThat(waited.error().code()).isEqualTo(ErrorCode.UPSTREAM_TIMEOUT);
		assertThat(waited.error().message()).contains("Another replica");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("it waited out a fetch's longest time")
			.isGreaterThanOrEqualTo(this.settings.loadTimeout());
		assertThat(this.calls).as("no call while another replica held the lease").hasValue(0);
	}

	@Test
	void aLostNoticeIsMadeUpForByTheResync() throws Exception {
		RefreshingCache<String> a = replica(this.store);
		RefreshingCache<String> b = replica(this.store.replica());
		fetchedOnce(a, "118");
		await().atMost(Duration.ofSeconds(5)).until(() -> b.peek("team-a") != null);
		this.store.dropNotices(true);
		this.clock.advance(Duration.ofSeconds(1));
		CompletableFuture<CachedValue<String>> refreshed = a.get("team-a", true);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.calls.get() == 2);
		this.upstream.get(1).tryEmitValue("100");
		refreshed.get(5, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(5)).until(() -> !a.isLoading("team-a"));
		assertThat(b.peek("team-a").value()).as("the notice was lost").isEqualTo("118");
		long version = b.version();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			b.resync();
			assertThat(b.peek("team-a").value()).isEqualTo("100");
		});
		assertThat(b.version()).as("views rebuild").isGreaterThan(version);
	}

	@Test
	void afterAnOutageAReplicaTakesUpFiguresItsStoreFailureHid() throws Exception {
		RefreshingCache<String> a = replica(this.store);
		RefreshingCache<String> b = replica(this.store.replica());
		fetchedOnce(a, "118");
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.store.leased("balances.test", "team-a"));
		// Given replica B's newer figures, whose notice replica A missed
		this.store.dropNotices(true);
		this.clock.advance(TTL);
		CompletableFuture<CachedValue<String>> fetchedByB = b.get("team-a", true);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.calls.get() == 2);
		this.upstream.get(1).tryEmitValue("100");
		fetchedByB.get(5, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(5)).until(() -> !b.isLoading("team-a"));
		// and, later, replica A's fetch failing for want of the store (stamped with that later time)
		this.clock.advance(Duration.ofSeconds(1));
		this.store.down(true);
		CachedValue<String> failed = a.get("team-a", false).get(5, TimeUnit.SECONDS);
		assertThat(failed.error().code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
		assertThat(failed.value()).isEqualTo("118");

		// When the store is back and replica A re-reads it
		this.store.down(false);
		a.resync();

		// Then it shows replica B's figures, not its own store failure
		assertThat(a.peek("team-a").value()).isEqualTo("100");
		assertThat(a.peek("team-a").error()).isNull();
		assertThat(this.calls).hasValue(2);
	}

	@Test
	void aReplicasNextFetchOfAKeyTakesItsOwnLeaseOnceThePreviousGaveItsBack() throws Exception {
		RefreshingCache<String> a = replica(this.store);
		RefreshingCache<String> b = replica(this.store.replica());
		CountDownLatch writing = new CountDownLatch(1);
		CountDownLatch writable = new CountDownLatch(1);
		this.store.holdWrites(writing, writable);
		// Given replica A's fetch that is over but still sharing its entry (write, then lease back)
		fetchedOnce(a, "118");
		assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue();

		// When a refresh of the key on replica A comes meanwhile, and the first fetch's share ends
		this.clock.advance(Duration.ofSeconds(1));
		CompletableFuture<CachedValue<String>> refreshed = a.get("team-a", true);
		writable.countDown();

		// Then the refresh fetches with a lease of its own, which replica B must respect
		await().atMost(Duration.ofSeconds(5)).until(() -> this.calls.get() == 2);
		CompletableFuture<CachedValue<String>> askedOfB = b.get("team-a", true);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.store.refusedLeases() == 1);
		this.upstream.get(1).tryEmitValue("100");
		assertThat(refreshed.get(5, TimeUnit.SECONDS).value()).isEqualTo("100");
		assertThat(askedOfB.get(5, TimeUnit.SECONDS).value()).as("replica A's refresh, awaited").isEqualTo("100");
		assertThat(this.calls).hasValue(2);
	}

}
