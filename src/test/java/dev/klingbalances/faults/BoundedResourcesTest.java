package dev.klingbalances.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cache.caffeine.CaffeineCache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bounded resources: names nobody configured never reach an upstream nor a cache, however many
 * arrive; the bulkhead caps concurrent upstream calls and refuses the rest instead of queueing;
 * an oversized body is refused (see the 10 MB cases of {@link FaultMatrixTest}).
 */
class BoundedResourcesTest extends FaultTestSupport {

	private static final int FLOOD = 4000;

	/** Delay of every Kling answer in the bulkhead test: well within the 1 s response timeout. */
	private static final int SLOW_MILLIS = 700;

	@Autowired
	MeterRegistry meterRegistry;

	@Autowired
	BulkheadRegistry bulkheads;

	@Test
	void floodOfUnknownNamesIsAnsweredWithoutUpstreamCallsAndGrowsNoCache() throws Exception {
		// Given every cache holds what a normal request puts there
		JsonNode answer = balances("").body();
		// and the balance gauges, which follow the answer on a schedule, show its accounts and figures
		int accounts = answer.get("accounts").size();
		long figures = answer.get("accounts").valueStream().filter((account) -> account.get("remaining").isNumber()).count();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.meterRegistry.find("balances.stale").gauges().size() == accounts
					&& this.meterRegistry.find("balances.remaining").gauges().size() == figures);
		Map<String, Long> sizesBefore = cacheSizes();
		int metersBefore = this.meterRegistry.getMeters().size();
		int upstreamRequestsBefore = stubs.server().getAllServeEvents().size();

		// When thousands of distinct unknown paths and query values arrive
		List<IntFunction<String>> kinds = List.of((i) -> "/balances/kling/unknown-" + i,
				(i) -> "/balances/kling/team-" + i + "?refresh=true", (i) -> "/balances/useapi/nobody-" + i + "@example.com",
				(i) -> "/balances/provider-" + i + "/account-" + i, (i) -> "/balances?provider=provider-" + i,
				(i) -> "/balances?refresh=maybe-" + i, (i) -> "/balances/kling/unknown-" + i + "/more",
				(i) -> "/nothing-here-" + i);
		Map<Integer, Integer> statuses = flood(kinds);

		// Then each is a 404 or 400 problem
		assertThat(statuses.keySet()).containsOnly(400, 404);
		assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(FLOOD);
		// no upstream saw any of them
		assertThat(stubs.server().getAllServeEvents()).hasSize(upstreamRequestsBefore);
		// no cache grew
		assertThat(cacheSizes()).isEqualTo(sizesBefore);
		// and neither did the metrics (no tag per path or value)
		assertThat(this.meterRegistry.getMeters().size()).as("meters after %d distinct names", FLOOD)
			.isLessThanOrEqualTo(metersBefore + 20);
	}

	@Test
	void bulkheadCapsConcurrentUpstreamCallsAndRefusesTheRestWithoutQueueing() throws Exception {
		Bulkhead bulkhead = this.bulkheads.bulkhead("kling");
		BulkheadConfig original = bulkhead.getBulkheadConfig();
		try {
			// Given a Kling bulkhead of one call, no waiting, and four slow Kling accounts
			bulkhead.changeConfig(BulkheadConfig.from(original).maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build());
			List<String> accounts = List.of(FaultStubs.STEADY_A, FaultStubs.STEADY_B, FaultStubs.COLD, FaultStubs.PRIMED);
			for (String account : accounts) {
				stubs.fault("kling", account, FaultStubs.good("kling", account).withFixedDelay(SLOW_MILLIS));
			}

			// When all four are asked for at once
			Instant since = this.clock.instant();
			balances("?provider=kling");
			for (String account : accounts) {
				awaitFetchEnded("kling", account, since, Duration.ofSeconds(30));
			}
			Answer settled = balances("?provider=kling");

			// Then the upstream never had two calls at a time
			List<LoggedRequest> requests = new ArrayList<>();
			accounts.forEach((account) -> requests.addAll(stubs.requests("kling", account)));
			List<Instant> starts = requests.stream().map((request) -> request.getLoggedDate().toInstant()).sorted().toList();
			for (int i = 1; i < starts.size(); i++) {
				assertThat(Duration.between(starts.get(i - 1), starts.get(i)))
					.as("Kling call %d started while call %d was still running", i, i - 1)
					.isGreaterThanOrEqualTo(Duration.ofMillis(SLOW_MILLIS - 50));
			}
			// refused attempts never reached it (3 attempts per account at most, fewer got through)
			assertThat(requests).hasSizeLessThan(accounts.size() * MAX_ATTEMPTS);
			// and every account is either read or refused as throttled: listed, never made up
			int refused = 0;
			for (String account : accounts) {
				JsonNode node = settled.account("kling", account);
				if (node.get("error").isNull()) {
					assertIntact(settled, "kling", account);
				}
				else {
					assertThat(node.get("error").get("code").asString()).isEqualTo("THROTTLED");
					assertThat(node.get("remaining").isNull()).isTrue();
					refused++;
				}
			}
			assertThat(refused).as("accounts refused by the full bulkhead").isPositive();
			accounts.forEach(FaultTestSupport::assertKlingPacing);
		}
		finally {
			bulkhead.changeConfig(original);
		}
	}

	private Map<String, Long> cacheSizes() {
		Map<String, Long> sizes = new LinkedHashMap<>();
		for (String name : this.cacheManager.getCacheNames()) {
			com.github.benmanes.caffeine.cache.Cache<Object, Object> cache = ((CaffeineCache) this.cacheManager
				.getCache(name)).getNativeCache();
			cache.cleanUp();
			sizes.put(name, cache.estimatedSize());
		}
		return sizes;
	}

	/** Sends {@link #FLOOD} requests, cycling through the kinds, on a few threads; counts statuses. */
	private Map<Integer, Integer> flood(List<IntFunction<String>> kinds) throws Exception {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<Map<Integer, Integer>>> parts = new ArrayList<>();
			for (int thread = 0; thread < 4; thread++) {
				int first = thread;
				parts.add(pool.submit(() -> {
					Map<Integer, Integer> counts = new LinkedHashMap<>();
					for (int i = first; i < FLOOD; i += 4) {
						String path = kinds.get(i % kinds.size()).apply(i);
						HttpResponse<String> response = client.send(
								HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
									.timeout(Duration.ofSeconds(10))
									.build(),
								HttpResponse.BodyHandlers.ofString());
						assertThat(response.headers().firstValue("Content-Type")).as(path)
							.hasValue("application/problem+json");
						counts.merge(response.statusCode(), 1, Integer::sum);
					}
					return counts;
				}));
			}
			Map<Integer, Integer> statuses = new LinkedHashMap<>();
			for (Future<Map<Integer, Integer>> part : parts) {
				part.get().forEach((status, count) -> statuses.merge(status, count, Integer::sum));
			}
			return statuses;
		}
		finally {
			pool.shutdown();
		}
	}

}
