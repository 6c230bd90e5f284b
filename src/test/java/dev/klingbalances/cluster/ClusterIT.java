package dev.klingbalances.cluster;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.klingbalances.cluster.ClusterStubs.Call;
import dev.klingbalances.store.RedisTestContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several replicas on one Redis (issue 10): three instances of the whole application in this
 * JVM, each with its own web server on a random port and its own leader candidate, against one
 * real Redis (a container of the
 * local {@code REDIS_IMAGE}) and one set of upstream stubs ({@link ClusterStubs}, which record
 * every call on arrival and answer new figures on every call). In order:
 * <ol>
 * <li>64 concurrent cold requests spread over the instances make one upstream call per account;</li>
 * <li>every instance then answers the same figures;</li>
 * <li>a 10 s storm of {@code refresh=true} on every instance never puts two calls with one Kling
 * credential within 1 s of each other on arrival, nor two useapi.net calls closer than its
 * ceiling allows;</li>
 * <li>the leader stopped, another instance takes over the refresh sweep;</li>
 * <li>Redis stopped, the instances answer 200 with their last figures, stale, with
 * {@code STORE_UNAVAILABLE}, call no upstream, stay ready and report the store down (upstreams
 * health group, {@code balances_store_up}); Redis back, fresh again by themselves.</li>
 * </ol>
 * Needs Docker: skipped without it on a developer machine, failing with {@code CI=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

	private static final Logger logger = LoggerFactory.getLogger(ClusterIT.class);

	private static final int INSTANCES = 3;

	private static final int COLD_REQUESTS = 64;

	private static final Duration STORM = Duration.ofSeconds(10);

	private static final int STORM_WORKERS_PER_INSTANCE = 4;

	/** Fresh for 20 s, refreshed ahead by the leader's sweep after 12 to 16 s (60 to 80 %). */
	private static final Duration TTL = Duration.ofSeconds(20);

	/**
	 * One attempt's limit: far above what a stub's answer takes on a loaded build machine (a
	 * timeout would add a retry, and calls are counted), and short, because a Redis that lost its
	 * keys holds every lane for the longest turn (this, the interval and 5 s) after it is back.
	 */
	private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(8);

	/** Kling: QPS ≤ 1 per credential, as a sliding window, on arrival. */
	private static final Duration KLING_MIN_GAP = Duration.ofSeconds(1);

	/** useapi.net: {@code balances.useapi.requests-per-second=2} (the default) on arrival. */
	private static final Duration USEAPI_MIN_GAP = Duration.ofMillis(500);

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final JsonMapper json = JsonMapper.builder().build();

	/** Answers with a 5xx status, from any instance at any time (there must be none). */
	private static final ConcurrentLinkedQueue<String> serverErrors = new ConcurrentLinkedQueue<>();

	private static ClusterStubs stubs;

	private static RedisTestContainer redis;

	private static final List<Instance> instances = new ArrayList<>();

	@BeforeAll
	static void startCluster() throws Exception {
		redis = RedisTestContainer.started();
		stubs = new ClusterStubs().start();
		for (int i = 1; i <= INSTANCES; i++) {
			String id = "cluster-" + i;
			instances.add(Instance.start(id, properties(), http));
		}
		logger.info("Cluster started: {} on Redis port {}", instances, redis.port());
	}

	@AfterAll
	static void stopCluster() {
		instances.forEach(Instance::close);
		if (redis != null) {
			redis.close();
		}
		if (stubs != null) {
			stubs.stop();
		}
	}

	@Test
	@Order(1)
	void coldRequestsSpreadOverTheInstancesMakeOneUpstreamCallPerAccount() throws Exception {
		List<String> accounts = ClusterStubs.accounts();
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(COLD_REQUESTS);
		try {
			List<Future<HttpResponse<String>>> answers = new ArrayList<>();
			for (int i = 0; i < COLD_REQUESTS; i++) {
				Instance instance = instances.get(i % INSTANCES);
				// Every instance asks for every account at least once; the last few ask for all of them.
				String path = (i < COLD_REQUESTS - INSTANCES) ? "/balances/" + accounts.get((i / INSTANCES) % accounts.size())
						: "/balances";
				answers.add(pool.submit(() -> {
					go.await();
					return call(instance, path);
				}));
			}
			go.countDown();
			for (Future<HttpResponse<String>> answer : answers) {
				assertThat(answer.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
			}
		}
		finally {
			pool.shutdownNow();
		}
		awaitFiguresEverywhere("every account fetched");

		Map<String, Integer> expected = new LinkedHashMap<>();
		accounts.forEach((account) -> expected.put(account.replace('/', ':'), 1));
		expected.put(ClusterStubs.USEAPI_LIST, 1);
		assertThat(stubs.callsPerAccount()).as("upstream calls per account after %d cold requests on %d instances",
				COLD_REQUESTS, INSTANCES)
			.containsExactlyInAnyOrderEntriesOf(expected);
	}

	@Test
	@Order(2)
	void everyInstanceAnswersTheSameFigures() {
		assertSameFiguresEverywhere();
	}

	@Test
	@Order(3)
	void refreshStormOnEveryInstanceKeepsTheRateRulesOnArrival() throws Exception {
		int before = stubs.calls().size();
		long end = System.nanoTime() + STORM.toNanos();
		List<Instance> running = running();
		ExecutorService pool = Executors.newFixedThreadPool(running.size() * STORM_WORKERS_PER_INSTANCE);
		try {
			List<Future<Integer>> workers = new ArrayList<>();
			for (Instance instance : running) {
				for (int i = 0; i < STORM_WORKERS_PER_INSTANCE; i++) {
					// One worker forces everything at once, the others one Kling account after another.
					List<String> paths = (i == 0) ? List.of("/balances?refresh=true")
							: ClusterStubs.accounts()
								.stream()
								.filter((account) -> account.startsWith("kling/"))
								.map((account) -> "/balances/" + account + "?refresh=true")
								.toList();
					int offset = i;
					workers.add(pool.submit(() -> {
						int sent = 0;
						while (System.nanoTime() < end) {
							String path = paths.get((sent + offset) % paths.size());
							assertThat(call(instance, path).statusCode()).as("%s on %s", path, instance).isEqualTo(200);
							sent++;
						}
						return sent;
					}));
				}
			}
			int sent = 0;
			for (Future<Integer> worker : workers) {
				sent += worker.get(STORM.plusMinutes(1).toSeconds(), TimeUnit.SECONDS);
			}
			logger.info("Storm: {} refresh=true requests on {} instances", sent, running.size());
		}
		finally {
			pool.shutdownNow();
		}
		awaitIdle();

		List<Call> storm = stubs.calls().subList(before, stubs.calls().size());
		Map<String, Long> perAccount = storm.stream().collect(Collectors.groupingBy(Call::account, Collectors.counting()));
		logger.info("Storm: upstream calls per account {}", perAccount);
		// The storm really forced refreshes: several per Kling credential within its 10 s (at most
		// 10 s / (1.1 s + 200 ms) + 1 = 8 can be paced in).
		for (int i = 0; i < ClusterStubs.KLING_ACCOUNTS; i++) {
			assertThat(perAccount.getOrDefault("kling:" + ClusterStubs.klingAccount(i), 0L))
				.as("refreshes of kling:%s during the storm", ClusterStubs.klingAccount(i))
				.isGreaterThanOrEqualTo(4);
		}
		assertRateRules();
		assertThat(serverErrors).isEmpty();
		assertSameFiguresEverywhere();
	}

	@Test
	@Order(4)
	void anotherInstanceTakesOverTheRefreshWhenTheLeaderStops() {
		Instance leader = awaitOneLeader(running());
		leader.close();
		logger.info("Leader {} stopped", leader);
		List<Instance> survivors = running();
		assertThat(survivors).hasSize(INSTANCES - 1);
		Instance next = awaitOneLeader(survivors);
		logger.info("New leader: {}", next);

		// Nobody asks for anything now: the calls that come are the new leader's refresh-ahead.
		Map<Instance, Long> fetchesBefore = survivors.stream()
			.collect(Collectors.toMap((instance) -> instance, Instance::fetches));
		int callsBefore = stubs.calls().size();
		List<String> expected = ClusterStubs.accounts().stream().map((account) -> account.replace('/', ':')).toList();
		await().alias("every account refreshed after the handover")
			.atMost(TTL.multipliedBy(3))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> stubs.calls()
				.subList(callsBefore, stubs.calls().size())
				.stream()
				.map(Call::account)
				.collect(Collectors.toSet())
				.containsAll(expected));
		awaitIdle();
		assertThat(next.fetches() - fetchesBefore.get(next)).as("fetches by the new leader %s", next)
			.isGreaterThanOrEqualTo(expected.size());
		survivors.stream()
			.filter((instance) -> instance != next)
			.forEach((instance) -> assertThat(instance.fetches()).as("fetches by %s, not the leader", instance)
				.isEqualTo(fetchesBefore.get(instance)));
		assertRateRules();
		assertSameFiguresEverywhere();
	}

	@Test
	@Order(5)
	void redisOutageServesStaleFiguresWithoutUpstreamCallsAndRecoversByItself() throws Exception {
		List<Instance> survivors = running();
		// Every account just refreshed and nothing in flight: no refresh is due for 12 s, so any
		// upstream call while Redis is down would be one made without the shared pacing.
		assertThat(call(survivors.get(0), "/balances?refresh=true").statusCode()).isEqualTo(200);
		awaitIdle();
		assertSameFiguresEverywhere();
		int callsBefore = stubs.calls().size();

		redis.stopRedis();
		logger.info("Redis stopped");
		for (Instance instance : survivors) {
			JsonNode stale = await().alias("stale figures with STORE_UNAVAILABLE on " + instance)
				.atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> balances(instance, "?refresh=true"), (answer) -> accounts(answer).values()
					.stream()
					.allMatch((account) -> hasError(account, "STORE_UNAVAILABLE")));
			accounts(stale).forEach((name, account) -> {
				assertThat(account.get("remaining").isNull()).as("last figures of %s kept", name).isFalse();
				assertThat(account.get("stale").asBoolean()).as("%s marked stale", name).isTrue();
			});
			assertThat(call(instance, "/balances").statusCode()).isEqualTo(200);
			assertThat(call(instance, "/actuator/health/readiness").statusCode()).as("readiness of %s", instance)
				.isEqualTo(200);
			awaitStoreReported(instance, "DOWN", 0);
		}
		assertThat(stubs.calls()).as("upstream calls while Redis was down").hasSize(callsBefore);

		Instant restarted = Instant.now();
		redis.startRedis();
		logger.info("Redis started again");
		for (Instance instance : survivors) {
			await().alias("fresh figures again on " + instance)
				.atMost(Duration.ofSeconds(90))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> balances(instance, ""), (answer) -> accounts(answer).values()
					.stream()
					.allMatch((account) -> account.get("error").isNull() && !account.get("stale").asBoolean()
							&& Instant.parse(account.get("fetchedAt").asString()).isAfter(restarted)));
			awaitStoreReported(instance, "UP", 1);
		}
		awaitIdle();
		assertRateRules();
		assertThat(serverErrors).isEmpty();
		assertSameFiguresEverywhere();
	}

	// --- the rules, on arrival ---------------------------------------------------------------

	/** Over every call so far: Kling's QPS rule per credential, useapi.net's ceiling on its token. */
	private static void assertRateRules() {
		Map<String, List<Call>> byLane = stubs.calls().stream().collect(Collectors.groupingBy(Call::lane));
		byLane.forEach((lane, calls) -> {
			Duration minimum = lane.equals("useapi") ? USEAPI_MIN_GAP : KLING_MIN_GAP;
			List<Long> arrivals = calls.stream().map(Call::arrivedNanos).sorted().toList();
			for (int i = 1; i < arrivals.size(); i++) {
				long gap = arrivals.get(i) - arrivals.get(i - 1);
				assertThat(Duration.ofNanos(gap)).as("gap between calls %d and %d with the credential of %s on arrival", i,
						i + 1, lane).isGreaterThanOrEqualTo(minimum);
			}
		});
	}

	/** The store's health in the upstreams group, and its gauge, as the instance's last check saw it. */
	private static void awaitStoreReported(Instance instance, String status, int up) {
		await().alias("store " + status + " in health and balances_store_up on " + instance)
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.untilAsserted(() -> {
				// Not through call(): this group answers 503 when something in it is down, by design.
				HttpResponse<String> response = instance.get("/actuator/health/upstreams");
				assertThat(response.statusCode()).isEqualTo(status.equals("UP") ? 200 : 503);
				JsonNode health = json.readTree(response.body());
				assertThat(health.path("components").path("store").path("status").asString()).isEqualTo(status);
				assertThat(call(instance, "/actuator/prometheus").body())
					.contains("balances_store_up{type=\"redis\"} " + up + ".0");
			});
	}

	// --- the instances' answers --------------------------------------------------------------

	private static List<Instance> running() {
		return instances.stream().filter(Instance::isRunning).toList();
	}

	private static Instance awaitOneLeader(List<Instance> candidates) {
		return await().alias("exactly one leader among " + candidates)
			.atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> candidates.stream().filter(Instance::isLeader).toList(), (leaders) -> leaders.size() == 1)
			.get(0);
	}

	private static void awaitIdle() {
		await().alias("nothing in flight on any instance")
			.atMost(Duration.ofSeconds(90))
			.until(() -> running().stream().allMatch(Instance::isIdle));
	}

	/** Until every running instance shows figures, without error, for every account. */
	private static void awaitFiguresEverywhere(String expectation) {
		for (Instance instance : running()) {
			await().alias(expectation + " on " + instance)
				.atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> balances(instance, ""), (answer) -> accounts(answer).size() == ClusterStubs.accounts().size()
						&& accounts(answer).values().stream().allMatch((account) -> account.get("error").isNull()));
		}
		awaitIdle();
	}

	/**
	 * Until every running instance answers the same figures and fetch times for every account
	 * (an instance learns of another's fetch through Redis, a moment later).
	 */
	private static void assertSameFiguresEverywhere() {
		await().alias("the same figures on every instance")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(250))
			.untilAsserted(() -> {
				List<Instance> running = running();
				Map<String, String> first = figures(running.get(0));
				assertThat(first).hasSize(ClusterStubs.accounts().size());
				for (Instance other : running.subList(1, running.size())) {
					assertThat(figures(other)).as("figures of %s against %s", other, running.get(0)).isEqualTo(first);
				}
			});
	}

	/** Account → remaining, total and fetch time, as one instance answers them. */
	private static Map<String, String> figures(Instance instance) throws Exception {
		Map<String, String> figures = new LinkedHashMap<>();
		accounts(balances(instance, "")).forEach((name, account) -> figures.put(name,
				account.get("remaining") + " of " + account.get("total") + " at " + account.get("fetchedAt")));
		return figures;
	}

	private static JsonNode balances(Instance instance, String query) throws Exception {
		HttpResponse<String> response = call(instance, "/balances" + query);
		assertThat(response.statusCode()).as("GET /balances%s on %s", query, instance).isEqualTo(200);
		return json.readTree(response.body());
	}

	/** The accounts of an answer of {@code /balances}, by {@code provider/account}. */
	private static Map<String, JsonNode> accounts(JsonNode answer) {
		Map<String, JsonNode> accounts = new LinkedHashMap<>();
		answer.get("accounts")
			.forEach((account) -> accounts.put(account.get("provider").asString() + "/" + account.get("account").asString(),
					account));
		return accounts;
	}

	private static boolean hasError(JsonNode account, String code) {
		JsonNode error = account.get("error");
		return !error.isNull() && Objects.equals(error.get("code").asString(), code);
	}

	private static HttpResponse<String> call(Instance instance, String path) throws Exception {
		HttpResponse<String> response = instance.get(path);
		if (response.statusCode() >= 500) {
			serverErrors.add(instance + " " + path + " -> " + response.statusCode() + " " + response.body());
		}
		return response;
	}

	// --- set-up ------------------------------------------------------------------------------

	private static Map<String, String> properties() {
		Map<String, String> properties = new LinkedHashMap<>(stubs.properties());
		properties.put("server.port", "0");
		properties.put("server.address", "127.0.0.1");
		properties.put("spring.main.banner-mode", "off");
		properties.put("balances.security.mode", "none");
		// Cold until the test asks; then the leader keeps what was asked for fresh.
		properties.put("balances.cache.warm-up", "false");
		properties.put("balances.cache.keep-warm", "requested");
		properties.put("balances.cache.sweep-interval", "1s");
		properties.put("balances.cache.error-ttl", "5s");
		properties.put("balances.kling.cache-ttl", TTL.toSeconds() + "s");
		properties.put("balances.useapi.cache-ttl", TTL.toSeconds() + "s");
		properties.put("balances.kling.http.response-timeout", RESPONSE_TIMEOUT.toSeconds() + "s");
		properties.put("balances.useapi.http.response-timeout", RESPONSE_TIMEOUT.toSeconds() + "s");
		properties.putAll(redis.properties());
		return properties;
	}

}
