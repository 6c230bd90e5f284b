package dev.klingbalances.balance;

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

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RefreshingCacheTest {

	private static final Duration TTL = Duration.ofMinutes(2);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));

	private final BalancesProperties.Cache settings = new BalancesProperties.Cache(Duration.ofHours(24),
			Duration.ofSeconds(30), 0.8, Duration.ofMinutes(30), Duration.ofSeconds(5), Duration.ofSeconds(60), true,
			100);

	private final AtomicInteger calls = new AtomicInteger();

	private RefreshingCache<String, String> cache(java.util.function.Function<String, Mono<String>> loader) {
		return new RefreshingCache<>("test", (key) -> {
			this.calls.incrementAndGet();
			return loader.apply(key);
		}, TTL, this.settings, this.clock, new SimpleMeterRegistry());
	}

	@Test
	void concurrentColdRequestsShareOneFetch() throws Exception {
		Sinks.One<String> upstream = Sinks.one();
		RefreshingCache<String, String> cache = cache((key) -> upstream.asMono());
		int callers = 50;
		ExecutorService pool = Executors.newFixedThreadPool(16);
		CountDownLatch start = new CountDownLatch(1);
		List<CompletableFuture<CachedValue<String>>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(CompletableFuture.supplyAsync(() -> {
				awaitLatch(start);
				return cache.get("a", false).join();
			}, pool));
		}
		start.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.calls.get() >= 1);
		Thread.sleep(200);
		upstream.tryEmitValue("100");
		for (CompletableFuture<CachedValue<String>> result : results) {
			assertThat(result.get(5, TimeUnit.SECONDS).value()).isEqualTo("100");
		}
		pool.shutdown();
		assertThat(this.calls).hasValue(1);
	}

	@Test
	void freshValueIsServedWithoutFetching() {
		RefreshingCache<String, String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		this.clock.advance(Duration.ofSeconds(60));
		CachedValue<String> second = cache.get("a", false).join();
		assertThat(second.value()).isEqualTo("v1");
		assertThat(this.calls).hasValue(1);
	}

	@Test
	void expiredValueIsFetchedAgain() {
		RefreshingCache<String, String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		this.clock.advance(TTL);
		assertThat(cache.get("a", false).join().value()).isEqualTo("v2");
		assertThat(this.calls).hasValue(2);
	}

	@Test
	void refreshFetchesEvenWhenFresh() {
		RefreshingCache<String, String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		assertThat(cache.get("a", true).join().value()).isEqualTo("v2");
	}

	@Test
	void concurrentRefreshesJoinTheRunningFetch() {
		Sinks.One<String> upstream = Sinks.one();
		RefreshingCache<String, String> cache = cache((key) -> upstream.asMono());
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
		RefreshingCache<String, String> cache = cache((key) -> (attempt.incrementAndGet() == 1) ? Mono.just("118")
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
		RefreshingCache<String, String> cache = cache(
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
		RefreshingCache<String, String> cache = cache((key) -> (attempt.incrementAndGet() == 1) ? Mono.just("118")
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
		RefreshingCache<String, String> cache = cache(
				(key) -> Mono.error(new IllegalStateException("secret-token-in-message")));
		AccountError error = cache.get("a", false).join().error();
		assertThat(error.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(error.message()).doesNotContain("secret-token-in-message");
	}

	@Test
	void loaderThatThrowsOrReturnsNothingIsAnError() {
		RefreshingCache<String, String> throwing = cache((key) -> {
			throw new IllegalArgumentException("boom");
		});
		assertThat(throwing.get("a", false).join().error().code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		RefreshingCache<String, String> empty = cache((key) -> Mono.empty());
		CachedValue<String> nothing = empty.get("a", false).join();
		assertThat(nothing.value()).isNull();
		assertThat(nothing.error().code()).isEqualTo(ErrorCode.BAD_RESPONSE);
	}

	@Test
	void valueAboutToGoStaleIsRefreshedAheadWhileServedFresh() {
		RefreshingCache<String, String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		this.clock.advance(Duration.ofSeconds(100));
		CachedValue<String> served = cache.get("a", false).join();
		assertThat(served.value()).isEqualTo("v1");
		await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(cache.peek("a").value()));
		assertThat(this.calls).hasValue(2);
	}

	@Test
	void sweepRefreshesRequestedKeysBeforeTheyGoStale() {
		RefreshingCache<String, String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		cache.get("a", false).join();
		cache.refreshAhead();
		assertThat(this.calls).hasValue(1);
		this.clock.advance(Duration.ofSeconds(97));
		cache.refreshAhead();
		await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(cache.peek("a").value()));
	}

	@Test
	void sweepLeavesKeysNobodyAskedForLately() {
		RefreshingCache<String, String> cache = cache((key) -> Mono.just("v" + this.calls.get()));
		assertThat(cache.prefetch("a").join().value()).isEqualTo("v1");
		this.clock.advance(Duration.ofSeconds(110));
		cache.refreshAhead();
		assertThat(this.calls).hasValue(1);
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
