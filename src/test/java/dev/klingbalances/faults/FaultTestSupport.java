package dev.klingbalances.faults;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.cache.RefreshingCache;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One application context for every fault test (the subclasses share it: same configuration,
 * same stubs), started against {@link FaultStubs} with short, fixed policies:
 * <ul>
 * <li>{@code balances.deadline=2s}; one attempt may take {@code 1s}
 * ({@code balances.*.http.response-timeout}), and the Kling pacing (1.1 s per credential)
 * makes a fully retried Kling fetch outlast the deadline, so the deadline path is exercised;</li>
 * <li>Resilience4j as in {@code application.yml} (3 attempts) but with 50 ms base waits, and a
 * circuit breaker that judges 100 calls, not 20 with at least 10: a case makes up to a dozen
 * calls, half of them failing, and the breaker (reset before each test, tested on its own in
 * {@code CircuitBreakerPolicyTest} and the provider tests) must not cut a case's retries;</li>
 * <li>no warm-up and no refresh-ahead sweep during a test, so every upstream request the
 * stubs count was caused by the test;</li>
 * <li>the app's clock is an {@link OffsetClock}, so a test can jump past a TTL or max-stale.</li>
 * </ul>
 * Before each test: stubs healthy and journal empty, caches empty, circuit breakers closed and
 * the clock back to real time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "balances.deadline=" + FaultTestSupport.DEADLINE_SECONDS + "s",
				"balances.kling.http.response-timeout=1s", "balances.useapi.http.response-timeout=1s",
				"balances.useapi.requests-per-second=5", "balances.cache.warm-up=false", "balances.cache.keep-warm=requested",
				"balances.cache.sweep-interval=1h", "balances.security.mode=none",
				"resilience4j.retry.configs.default.wait-duration=50ms",
				"resilience4j.circuitbreaker.configs.default.sliding-window-size=100",
				"resilience4j.circuitbreaker.configs.default.minimum-number-of-calls=100" })
@Import(FaultTestSupport.ClockConfiguration.class)
abstract class FaultTestSupport {

	static final int DEADLINE_SECONDS = 2;

	static final Duration DEADLINE = Duration.ofSeconds(DEADLINE_SECONDS);

	/**
	 * Allowance on top of the deadline for a loaded two-core machine: the point is that a
	 * request never waits for an upstream that hangs for a minute, or for a fetch that retries.
	 */
	static final Duration MARGIN = Duration.ofSeconds(3);

	/** {@code resilience4j.retry.configs.default.max-attempts} in application.yml. */
	static final int MAX_ATTEMPTS = 3;

	/** Kling: QPS ≤ 1 per credential, as a sliding window. */
	static final Duration KLING_MIN_GAP = Duration.ofSeconds(1);

	/** Shared by every subclass, like the context that points at them; they stop with the JVM. */
	static final FaultStubs stubs = new FaultStubs().start();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	int port;

	@Autowired
	JsonMapper json;

	@Autowired
	CacheManager cacheManager;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	@Autowired
	BalanceService balanceService;

	@Autowired
	OffsetClock clock;

	@DynamicPropertySource
	static void upstreams(DynamicPropertyRegistry registry) {
		stubs.properties().forEach((key, value) -> registry.add(key, () -> value));
	}

	/** Whether this JVM's clients have made their first upstream calls (see {@link #warmUp}). */
	private static boolean warm;

	@BeforeEach
	void resetEverything() throws Exception {
		warmUp();
		// A fetch of the previous test still retrying (useapi.net's calls take turns in one lane)
		// would publish into this test's cache or hold up its calls.
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(60))
			.until(() -> this.balanceService.caches().stream().allMatch(RefreshingCache::isIdle));
		this.clock.reset();
		this.circuitBreakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
		this.cacheManager.getCacheNames().forEach((name) -> this.cacheManager.getCache(name).clear());
		stubs.healthy();
	}

	/**
	 * Reads every account once per JVM before the first test. The first upstream call of a cold
	 * JVM initialises the HTTP client, codecs and TLS classes and can outlast the 1 s response
	 * timeout, which would add a retry to whichever test happens to run first.
	 */
	private void warmUp() throws Exception {
		if (warm) {
			return;
		}
		warm = true;
		stubs.healthy();
		this.cacheManager.getCacheNames().forEach((name) -> this.cacheManager.getCache(name).clear());
		// Until every account was read once: on a cold JVM and a loaded machine the first calls
		// (useapi.net's account list among them) can time out, and are then forced again.
		// Not through call(): the first request also initialises the web layer, which is no
		// upstream's doing and may take longer than the deadline.
		org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/balances?refresh=true"))
				.build(), HttpResponse.BodyHandlers.discarding());
			return List.of("kling", "useapi").stream()
				.allMatch((provider) -> FaultStubs.accounts(provider).stream().allMatch((account) -> readOnce(provider, account)));
		});
	}

	private boolean readOnce(String provider, String account) {
		CachedValue<?> entry = this.balanceService.caches()
			.stream()
			.filter((candidate) -> candidate.name().equals("balances." + provider))
			.findFirst()
			.orElseThrow()
			.peek(account);
		return entry != null && entry.error() == null;
	}

	/** An answer of this service, how long it took, and its parsed body (null unless JSON). */
	record Answer(int status, @Nullable JsonNode body, Duration elapsed, String raw, HttpHeaders headers) {

		JsonNode account(String provider, String account) {
			for (JsonNode node : this.body.get("accounts")) {
				if (node.get("provider").asString().equals(provider)
						&& node.get("account").asString().equals(account)) {
					return node;
				}
			}
			throw new AssertionError("no account " + provider + "/" + account + " in " + this.raw);
		}

	}

	/**
	 * GET on this service. Every answer must come within the deadline plus the margin, and every
	 * JSON answer passes {@link #assertNoMadeUpFigures}.
	 */
	Answer call(String path) throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
					.timeout(Duration.ofSeconds(90))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		assertThat(elapsed).as("time to answer %s", path).isLessThanOrEqualTo(DEADLINE.plus(MARGIN));
		String contentType = response.headers().firstValue("Content-Type").orElse("");
		JsonNode body = contentType.contains("json") ? this.json.readTree(response.body()) : null;
		Answer answer = new Answer(response.statusCode(), body, elapsed, response.body(), response.headers());
		if (response.statusCode() == 200 && body != null) {
			assertNoMadeUpFigures(body);
		}
		for (String secret : FaultStubs.SECRETS) {
			assertThat(response.body()).doesNotContain(secret);
		}
		return answer;
	}

	/** {@code GET /balances{query}}, which must answer 200. */
	Answer balances(String query) throws Exception {
		Answer answer = call("/balances" + query);
		assertThat(answer.status()).as("status of /balances%s: %s", query, answer.raw()).isEqualTo(200);
		return answer;
	}

	/**
	 * The "no zeros" guard, applied to every answer: a figure is either the one the upstream
	 * reported for that account (no stub ever reports 0), or absent. An account with an error
	 * shows a figure only as its last good snapshot: stale, with the time it was fetched.
	 */
	static void assertNoMadeUpFigures(JsonNode body) {
		List<JsonNode> accounts = body.has("accounts") ? body.get("accounts").valueStream().toList() : List.of(body);
		for (JsonNode account : accounts) {
			String key = account.get("provider").asString() + "/" + account.get("account").asString();
			JsonNode remaining = account.get("remaining");
			boolean failed = !account.get("error").isNull();
			if (remaining.isNull()) {
				assertThat(account.get("total").isNull()).as("%s: total without remaining", key).isTrue();
				assertThat(failed).as("%s: no figures must come with an error saying why", key).isTrue();
				continue;
			}
			assertThat(remaining.decimalValue()).as("%s: remaining is what the upstream reported", key)
				.isEqualByComparingTo(FaultStubs.REMAINING.get(key));
			assertThat(remaining.decimalValue()).as("%s: never a zero", key).isNotEqualByComparingTo(BigDecimal.ZERO);
			if (failed) {
				assertThat(account.get("stale").asBoolean()).as("%s: figures beside an error are stale", key).isTrue();
				assertThat(account.get("fetchedAt").isNull()).as("%s: stale figures keep their fetchedAt", key)
					.isFalse();
			}
		}
	}

	/**
	 * Reads the account once, successfully, and returns that answer: the "last good snapshot"
	 * of the stale tests. (Only the very first upstream call of a cold JVM may outlast the
	 * deadline; then the fetch is awaited and the cached result read.)
	 */
	JsonNode prime(String provider, String account) throws Exception {
		Instant since = this.clock.instant();
		Answer answer = call("/balances/" + provider + "/" + account);
		assertThat(answer.status()).isEqualTo(200);
		if (!answer.body().get("error").isNull()
				&& answer.body().get("error").get("code").asString().equals("PENDING")) {
			awaitFetchEnded(provider, account, since, Duration.ofSeconds(30));
			answer = call("/balances/" + provider + "/" + account);
		}
		assertThat(answer.body().get("error").isNull()).as("prime %s/%s: %s", provider, account, answer.raw())
			.isTrue();
		return answer.body();
	}

	/** The account shows its own good figures, fresh and without an error. */
	static void assertIntact(Answer answer, String provider, String account) {
		JsonNode node = answer.account(provider, account);
		assertThat(node.get("error").isNull()).as("%s/%s is intact: %s", provider, account, node).isTrue();
		assertThat(node.get("stale").asBoolean()).as("%s/%s is fresh", provider, account).isFalse();
		assertThat(node.get("remaining").decimalValue()).isEqualByComparingTo(FaultStubs.REMAINING.get(provider + "/" + account));
	}

	/** Every account of both providers except the given victims is intact. */
	static void assertOthersIntact(Answer answer, String victimProvider) {
		for (String provider : List.of("kling", "useapi")) {
			for (String account : FaultStubs.steady(provider)) {
				assertIntact(answer, provider, account);
			}
			if (!provider.equals(victimProvider)) {
				for (String account : FaultStubs.victims(provider)) {
					assertIntact(answer, provider, account);
				}
			}
		}
	}

	/**
	 * Waits until the fetch of this account that started at or after {@code since} has ended and
	 * published its outcome in the cache (the caller never waits for it; the test does).
	 */
	CachedValue<?> awaitFetchEnded(String provider, String account, Instant since, Duration atMost) {
		RefreshingCache<?> cache = this.balanceService.caches()
			.stream()
			.filter((candidate) -> candidate.name().equals("balances." + provider))
			.findFirst()
			.orElseThrow();
		return org.awaitility.Awaitility.await()
			.alias("the fetch of " + provider + "/" + account + " ended")
			.atMost(atMost)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> cache.peek(account), (entry) -> entry != null && !entry.checkedAt().isBefore(since));
	}

	/** Requests with one Kling credential are at least a second apart (sliding window). */
	static void assertKlingPacing(String account) {
		assertThat(FaultStubs.gaps(stubs.requests("kling", account)))
			.as("gaps between Kling requests of %s", account)
			.allSatisfy((gap) -> assertThat(gap).isGreaterThanOrEqualTo(KLING_MIN_GAP));
	}

	/** The app's clock, replaceable at will by the tests. */
	@TestConfiguration(proxyBeanMethods = false)
	static class ClockConfiguration {

		@Bean
		@Primary
		OffsetClock offsetClock() {
			return new OffsetClock();
		}

	}

}
