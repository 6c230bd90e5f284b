package dev.klingbalances.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.balance.MutableClock;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.UpstreamException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RefreshingCacheTest {

	private static final Duration TTL = Duration.ofMinutes(2);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));

	private final CacheSettings settings = TestSettings.balances("balances.cache.maximum-size=100",
			"balances.cache.fetch-concurrency=2", "balances.cache.fetch-queue-capacity=3")
		.cache();

	private final AtomicInteger calls = new AtomicInteger();

	private RefreshingCache<String> cache(java.util.function.Function<String, Mono<String>> loader) {
		return new RefreshingCache<>("test", (key) -> {
			this.calls.incrementAndGet();
			return loader.apply(key);
		}, TTL, this.settings, this.clock, new SimpleMeterRegistry());
	}

	@Test
	void concurrentColdRequestsShareOneFetch() throws Exception {
		Sinks.One<String> upstream = Sinks.one();
		RefreshingCache<String> cache = cache((key) -> upstream.asMono());
		int callers = 50;
		ExecutorService pool = Executors.newFixedThreadPool(callers);
		CountDownLatch start = new CountDownLatch(1);
		CountDownLatch asked = new CountDownLatch(callers);
		List<CompletableFuture<CachedValue<String>>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(CompletableFuture.supplyAsync(() -> {
				awaitLatch(start);
				CompletableFuture<CachedValue<String>> result = cache.get("a", false);
				asked.countDown();
				return result.join();
			}, pool));
		}
		start.countDown();
		// Every caller holds its future before the upstream answers: all of them overlap the fetch.
		assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
		upstream.tryEmitValue("100");
		for (CompletableFuture<CachedValue<String>> result : results) {
			assertThat(result.get(5, TimeUnit.SECONDS).value()).isEqualTo("100");
		}
		pool.shutdown();
		assertThat(this.calls).hasValue(1);
	}

	/**
	 * The race of issue 11: a caller reads the entry (absent), then the running fetch publishes
	 * its value and leaves the in-flight map, then the caller goes on to fetch. It must take the
	 * published value instead of starting a second fetch. The caller is held between its read
	 * of the entry and its decision by a clock that blocks that one thread.
	 */
	@Test
	void callerThatMissedAFetchEndingTakesItsValueInsteadOfFetchingAgain() throws Exception {
		Sinks.One<String> upstream = Sinks.one();
		PausingClock pausing = new PausingClock(this.clock.instant());
		RefreshingCache<String> cache = new RefreshingCache<>("test", (key) -> {
			this.calls.incrementAndGet();
			return upstream.asMono();
		}, TTL, this.settings, pausing, new SimpleMeterRegistry());
		CompletableFuture<CachedValue<String>> first = cache.get("a", false);
		assertThat(this.calls).hasValue(1);
		ExecutorService late = Executors.newSingleThreadExecutor();
		CompletableFuture<CachedValue<String>> second = CompletableFuture.supplyAsync(() -> {
			pausing.pauseThisThread();
			return cache.get("a", false).join();
		}, late);
		assertThat(pausing.paused.await(10, TimeUnit.SECONDS)).as("second caller read the entry").isTrue();
		upstream.tryEmitValue("100");
		assertThat(first.get(5, TimeUnit.SECONDS).value()).isEqualTo("100");
		pausing.resume.countDown();
		assertThat(second.get(5, TimeUnit.SECONDS).value()).isEqualTo("100");
		late.shutdown();
		assertThat(this.calls).as("one fetch for both callers").hasValue(1);
	}

	@Test
	void fetchesBeyondTheConcurrencyWaitTheirTurnAndAFullQueueRefuses() {
		List<Sinks.One<String>> upstream = new ArrayList<>();
		RefreshingCache<String> cache = cache((key) -> {
			Sinks.One<String> answer = Sinks.one();
			upstream.add(answer);
			return answer.asMono();
		});
		List<CompletableFuture<CachedValue<String>>> results = new ArrayList<>();
		for (String key : List.of("a", "b", "c", "d", "e")) {
			results.add(cache.get(key, false));
		}
		assertThat(this.calls).as("two run at once, three wait").hasValue(2);
		CachedValue<String> refused = cache.get("f", false).join();
		assertThat(refused.error().code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(refused.value()).isNull();
		upstream.get(0).tryEmitValue("a1");
		assertThat(this.calls).as("the next in line starts when one ends").hasValue(3);
		upstream.get(1).tryEmitValue("b1");
		upstream.get(2).tryEmitValue("c1");
		upstream.get(3).tryEmitValue("d1");
		upstream.get(4).tryEmitValue("e1");
		assertThat(results).allSatisfy((result) -> assertThat(result.join().error()).isNull());
		assertThat(results.get(4).join().value()).isEqualTo("e1");
		assertThat(this.calls).hasValue(5);
	}

	@Test
	void aLongQueueOfInstantFetchesRunsWithoutNesting() {
		Sinks.One<String> first = Sinks.one();
		RefreshingCache<String> blocked = new RefreshingCache<>("test", (key) -> "first".equals(key)
				? first.asMono() : Mono.just(key), TTL, TestSettings.balances("balances.cache.fetch-concurrency=1").cache(),
				this.clock, new SimpleMeterRegistry());
		blocked.get("first", false);
		List<CompletableFuture<CachedValue<String>>> queued = new ArrayList<>();
		for (int i = 0; i < 5000; i++) {
			queued.add(blocked.get("k" + i, false));
		}
		first.tryEmitValue("done");
		assertThat(queued).allSatisfy((result) -> assertThat(result).isCompleted());
		assertThat(queued.get(4999).join().value()).isEqualTo("k4999");
	}

	@Test
	void errorIsRememberedAsLongAsTheUpstreamAskedToWait() {
		RefreshingCache<String> cache = cache((key) -> Mono.error(
				new UpstreamException(ErrorCode.THROTTLED, "slow down", 429, Duration.ofMinutes(5), null)));
		CachedValue<String> throttled = cache.get("a", false).join();
		assertThat(throttled.retryAt()).isEqualTo(this.clock.instant().plus(Duration.ofMinutes(5)));
		this.clock.advance(Duration.ofSeconds(299));
		cache.get("a", false).join();
		assertThat(this.calls).as("within Retry-After: no new fetch").hasValue(1);
		this.clock.advance(Duration.ofSeconds(1));
		cache.get("a", false).join();
		assertThat(this.calls).hasValue(2);
	}

	@Test
	void entriesExpireOnTheInjectedClock() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v"));
		cache.get("a", false).join();
		this.clock.advance(this.settings.maxStale().plus(TTL).minusSeconds(1));
		assertThat(cache.peek("a")).isNotNull();
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(cache.peek("a")).isNull();
	}

	/** The default refresh-ahead, 0.8: each key between 0.6 and 0.8 of the TTL. */
	@Test
	void refreshPointsAreSpreadOverTheJitterWindowAndFixedPerKey() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v"));
		assertSpreadBetween(cache, 0.6, 0.8);
	}

	/** The window is a quarter of refresh-ahead, whatever it is set to: 0.4 gives 0.3 to 0.4. */
	@Test
	void theJitterWindowFollowsRefreshAhead() {
		CacheSettings earlier = TestSettings.balances("balances.cache.refresh-ahead=0.4").cache();
		RefreshingCache<String> cache = new RefreshingCache<>("test", (key) -> Mono.just("v"), TTL, earlier, this.clock,
				new SimpleMeterRegistry());
		assertSpreadBetween(cache, 0.3, 0.4);
	}

	private static void assertSpreadBetween(RefreshingCache<String> cache, double from, double to) {
		List<Long> points = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			points.add(cache.refreshAfterMillis("account-" + i));
		}
		long earliest = Math.round(TTL.toMillis() * from);
		long latest = Math.round(TTL.toMillis() * to);
		assertThat(points).allSatisfy((point) -> assertThat(point).isBetween(earliest, latest));
		assertThat(points.stream().distinct().count()).as("spread, not one point").isGreaterThan(150);
		assertThat(points.stream().mapToLong(Long::longValue).max().getAsLong()
				- points.stream().mapToLong(Long::longValue).min().getAsLong())
			.as("covering most of the window")
			.isGreaterThan((latest - earliest) * 8 / 10);
		assertThat(cache.refreshAfterMillis("account-7")).isEqualTo(points.get(7));
	}

	@Test
	void sweepFetchesMissingAndDueKeysOnlyOnce() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.refreshDue(List.of("a", "b"));
		assertThat(this.calls).hasValue(2);
		cache.refreshDue(List.of("a", "b"));
		assertThat(this.calls).as("fresh: nothing to do").hasValue(2);
		this.clock.advance(TTL);
		cache.refreshDue(List.of("a", "b"));
		assertThat(this.calls).hasValue(4);
	}

	@Test
	void removedKeysAreForgotten() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v"));
		cache.get("a", false).join();
		cache.get("b", false).join();
		long before = cache.version();
		cache.retainOnly(List.of("b"));
		assertThat(cache.peek("a")).isNull();
		assertThat(cache.peek("b")).isNotNull();
		assertThat(cache.version()).isGreaterThan(before);
	}

	@Test
	void fetchesCarryTheirDeadlineForThePacing() {
		long before = System.nanoTime();
		RefreshingCache<String> cache = cache((key) -> Mono.deferContextual((context) -> Mono
			.just(Long.toString(FetchDeadline.read(context).orElseThrow() - before))));
		long untilDeadline = Long.parseLong(cache.get("a", false).join().value());
		assertThat(untilDeadline).isBetween(this.settings.loadTimeout().toNanos(),
				this.settings.loadTimeout().plusSeconds(30).toNanos());
	}

	@Test
	void freshValueIsServedWithoutFetching() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		this.clock.advance(Duration.ofSeconds(60));
		CachedValue<String> second = cache.get("a", false).join();
		assertThat(second.value()).isEqualTo("v1");
		assertThat(this.calls).hasValue(1);
	}

	@Test
	void expiredValueIsFetchedAgain() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		this.clock.advance(TTL);
		assertThat(cache.get("a", false).join().value()).isEqualTo("v2");
		assertThat(this.calls).hasValue(2);
	}

	@Test
	void refreshFetchesEvenWhenFresh() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		assertThat(cache.get("a", true).join().value()).isEqualTo("v2");
	}

	@Test
	void concurrentRefreshesJoinTheRunningFetch() {
		Sinks.One<String> upstream = Sinks.one();
		RefreshingCache<String> cache = cache((key) -> upstream.asMono());
		CompletableFuture<CachedValue<String>> first = cache.get("a", true);
		CompletableFuture<CachedValue<String>> second = cache.get("a", true);
		upstream.tryEmitValue("x");
		assertThat(first.join().value()).isEqualTo("x");
		assertThat(second.join().value()).isEqualTo("x");
		assertThat(this.calls).hasValue(1);
	}

	@Test
	void failureKeepsLastGoodValueWithTheError() {
		AtomicInteger attempt = new AtomicInteger();
		RefreshingCache<String> cache = cache((key) -> (attempt.incrementAndGet() == 1) ? Mono.just("118")
				: Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "down", 503)));
		Instant firstFetch = this.clock.instant();
		cache.get("a", false).join();
		this.clock.advance(TTL);
		CachedValue<String> afterOutage = cache.get("a", false).join();
		assertThat(afterOutage.value()).isEqualTo("118");
		assertThat(afterOutage.fetchedAt()).isEqualTo(firstFetch);
		assertThat(afterOutage.error()).isNotNull();
		assertThat(afterOutage.error().code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(afterOutage.error().upstreamStatus()).isEqualTo(503);
		assertThat(afterOutage.isStale(this.clock.instant(), TTL)).isTrue();
	}

	@Test
	void failureIsRememberedForTheErrorTtlOnly() {
		RefreshingCache<String> cache = cache(
				(key) -> Mono.error(new UpstreamException(ErrorCode.THROTTLED, "slow down", 429)));
		cache.get("a", false).join();
		this.clock.advance(Duration.ofSeconds(29));
		cache.get("a", false).join();
		assertThat(this.calls).hasValue(1);
		this.clock.advance(Duration.ofSeconds(1));
		cache.get("a", false).join();
		assertThat(this.calls).hasValue(2);
	}

	@Test
	void lastGoodValueIsDroppedAfterMaxStale() {
		AtomicInteger attempt = new AtomicInteger();
		RefreshingCache<String> cache = cache((key) -> (attempt.incrementAndGet() == 1) ? Mono.just("118")
				: Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "down", 503)));
		cache.get("a", false).join();
		this.clock.advance(Duration.ofHours(23));
		CachedValue<String> stale = cache.get("a", false).join();
		assertThat(stale.servableValue(this.clock.instant(), this.settings.maxStale())).isEqualTo("118");
		this.clock.advance(Duration.ofHours(1));
		assertThat(stale.servableValue(this.clock.instant(), this.settings.maxStale())).isNull();
	}

	@Test
	void unclassifiedFailureIsReportedWithoutItsMessage() {
		RefreshingCache<String> cache = cache(
				(key) -> Mono.error(new IllegalStateException("secret-token-in-message")));
		AccountError error = cache.get("a", false).join().error();
		assertThat(error.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(error.message()).doesNotContain("secret-token-in-message");
	}

	@Test
	void loaderThatThrowsOrReturnsNothingIsAnError() {
		RefreshingCache<String> throwing = cache((key) -> {
			throw new IllegalArgumentException("boom");
		});
		assertThat(throwing.get("a", false).join().error().code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		RefreshingCache<String> empty = cache((key) -> Mono.empty());
		CachedValue<String> nothing = empty.get("a", false).join();
		assertThat(nothing.value()).isNull();
		assertThat(nothing.error().code()).isEqualTo(ErrorCode.BAD_RESPONSE);
	}

	@Test
	void valueAboutToGoStaleIsRefreshedAheadWhileServedFresh() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		this.clock.advance(Duration.ofSeconds(100));
		CachedValue<String> served = cache.get("a", false).join();
		assertThat(served.value()).isEqualTo("v1");
		await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(cache.peek("a").value()));
		assertThat(this.calls).hasValue(2);
	}

	@Test
	void sweepRefreshesRequestedKeysBeforeTheyGoStale() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		cache.refreshRequested();
		assertThat(this.calls).hasValue(1);
		this.clock.advance(Duration.ofSeconds(97));
		cache.refreshRequested();
		await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(cache.peek("a").value()));
	}

	@Test
	void sweepLeavesKeysNobodyAskedForLately() {
		RefreshingCache<String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		assertThat(cache.prefetch("a").join().value()).isEqualTo("v1");
		this.clock.advance(Duration.ofSeconds(110));
		cache.refreshRequested();
		assertThat(this.calls).hasValue(1);
	}

	/** A clock that holds one chosen thread on its next {@link #instant()} until released. */
	private static final class PausingClock extends java.time.Clock {

		private final Instant now;

		private volatile Thread pausedThread;

		final CountDownLatch paused = new CountDownLatch(1);

		final CountDownLatch resume = new CountDownLatch(1);

		PausingClock(Instant now) {
			this.now = now;
		}

		void pauseThisThread() {
			this.pausedThread = Thread.currentThread();
		}

		@Override
		public Instant instant() {
			if (Thread.currentThread() == this.pausedThread) {
				this.pausedThread = null;
				this.paused.countDown();
				awaitLatch(this.resume);
			}
			return this.now;
		}

		/** Caffeine's ticker reads millis(): that read must not be the one that pauses. */
		@Override
		public long millis() {
			return this.now.toEpochMilli();
		}

		@Override
		public java.time.ZoneId getZone() {
			return java.time.ZoneOffset.UTC;
		}

		@Override
		public java.time.Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
