package dev.klingbalances;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.cache.RefreshingCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.CacheManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whole-app flows against WireMock stand-ins of both upstreams: coalescing, the Kling QPS rule
 * under a refresh storm, partial failure, stale-if-error, metrics and the absence of secrets.
 * Each test uses its own snapshot keys' state from a fresh cache (see {@link #clearCaches()}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "balances.cache.warm-up=false", "balances.cache.keep-warm=requested", "balances.security.mode=none",
				"management.endpoints.web.exposure.include=health,info,prometheus,caches",
				"resilience4j.retry.configs.default.wait-duration=50ms" })
@ExtendWith(OutputCaptureExtension.class)
class BalancesFlowTest {

	private static final UpstreamStubs stubs = new UpstreamStubs().start();

	private static final List<String> SECRETS = List.of(UpstreamStubs.KLING_KEY_A, UpstreamStubs.KLING_KEY_B,
			UpstreamStubs.KLING_SECRET_KEY_C, UpstreamStubs.USEAPI_TOKEN);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@Autowired
	private CacheManager cacheManager;

	@Autowired
	private BalanceService balanceService;

	@DynamicPropertySource
	static void upstreams(DynamicPropertyRegistry registry) {
		stubs.register(registry);
	}

	@AfterAll
	static void stopStubs() {
		stubs.stop();
	}

	@BeforeEach
	void clearCaches() {
		this.cacheManager.getCacheNames().forEach((name) -> this.cacheManager.getCache(name).clear());
		stubs.healthy(200);
	}

	private HttpResponse<String> call(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private JsonNode balances(String query) throws Exception {
		HttpResponse<String> response = call("/balances" + query);
		assertThat(response.statusCode()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private static JsonNode account(JsonNode balances, String provider, String account) {
		for (JsonNode node : balances.get("accounts")) {
			if (node.get("provider").asString().equals(provider) && node.get("account").asString().equals(account)) {
				return node;
			}
		}
		throw new AssertionError("no account " + provider + "/" + account + " in " + balances);
	}

	@Test
	void answersBothProvidersNormalized(CapturedOutput output) throws Exception {
		JsonNode body = balances("");
		assertThat(body.get("complete").asBoolean()).isTrue();
		assertThat(body.get("accounts")).hasSize(5);
		JsonNode teamA = account(body, "kling", "team-a");
		assertThat(teamA.get("unit").asString()).isEqualTo("units");
		assertThat(teamA.get("remaining").decimalValue()).isEqualByComparingTo("118");
		assertThat(teamA.get("total").decimalValue()).isEqualByComparingTo("200");
		assertThat(teamA.get("grants")).hasSize(2);
		assertThat(teamA.get("dataDelay").asString()).isEqualTo("PT12H");
		JsonNode second = account(body, "useapi", UpstreamStubs.EMAIL_2);
		assertThat(second.get("unit").asString()).isEqualTo("credits");
		assertThat(second.get("remaining").decimalValue()).isEqualByComparingTo("1200");
		// One pool per provider and product: Kling's video, image and other, useapi.net's credits.
		assertThat(body.get("totals").valueStream()
			.map((total) -> total.get("provider").asString() + "/" + total.get("product").asString()))
			.containsExactly("kling/video", "kling/image", "kling/other", "useapi/credits");
		assertThat(body.get("totals").get(0).get("remaining").decimalValue()).isEqualByComparingTo("276");
		assertThat(body.get("totals").get(1).get("remaining").decimalValue()).as("no image pack").isZero();
		assertThat(body.get("totals").get(3).get("remaining").decimalValue()).isEqualByComparingTo("57200");
		assertThat(teamA.get("products").valueStream().map((product) -> product.get("product").asString()))
			.as("the expired 'Old pack' is held no more").containsExactly("video");
		assertNoSecret(body.toString(), output.getAll());
	}

	@Test
	void theNextAccountIsAnsweredFromTheCacheWithoutAnyUpstreamCall() throws Exception {
		int before = stubs.server().getAllServeEvents().size();

		// Cold cache: nothing is fetched for the picker (a refresh parameter changes nothing).
		HttpResponse<String> cold = call("/balances/next?product=video&refresh=true");
		assertThat(cold.statusCode()).as(cold.body()).isEqualTo(404);
		assertThat(this.json.readTree(cold.body()).get("code").asString()).isEqualTo("NO_CAPACITY");
		assertThat(stubs.server().getAllServeEvents()).as("upstream requests").hasSize(before);

		balances("");
		int read = stubs.server().getAllServeEvents().size();
		assertThat(read).as("/balances read the upstreams").isGreaterThan(before);

		HttpResponse<String> next = call("/balances/next?product=video&need=20");
		assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
		assertThat(this.json.readTree(next.body()).get("provider").asString()).isEqualTo("kling");
		assertThat(call("/balances/next?product=credits&need=20").statusCode()).isEqualTo(200);
		assertThat(stubs.server().getAllServeEvents()).as("upstream requests").hasSize(read);
	}

	@Test
	void concurrentColdRequestsMakeOneUpstreamCallPerAccount() throws Exception {
		int clients = 40;
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		CountDownLatch start = new CountDownLatch(1);
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < clients; i++) {
			responses.add(CompletableFuture.supplyAsync(() -> {
				try {
					start.await();
					return call("/balances");
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			}, pool));
		}
		start.countDown();
		for (CompletableFuture<HttpResponse<String>> response : responses) {
			assertThat(response.join().statusCode()).isEqualTo(200);
		}
		pool.shutdown();
		assertThat(stubs.klingRequests("Bearer " + UpstreamStubs.KLING_KEY_A)).hasSize(1);
		assertThat(stubs.klingRequests("Bearer " + UpstreamStubs.KLING_KEY_B)).hasSize(1);
		assertThat(stubs.klingRequests()).hasSize(3);
		assertThat(stubs.useapiRequests("")).hasSize(1);
		assertThat(stubs.useapiRequests("/first@example.com")).hasSize(1);
	}

	@Test
	void refreshStormNeverSendsTwoRequestsWithOneKlingCredentialWithinASecond() throws Exception {
		int clients = 6;
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		List<CompletableFuture<Integer>> statuses = new ArrayList<>();
		long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		for (int i = 0; i < clients; i++) {
			statuses.add(CompletableFuture.supplyAsync(() -> {
				int last = 0;
				try {
					while (System.nanoTime() < end) {
						last = call("/balances?provider=kling&refresh=true").statusCode();
						if (last != 200) {
							return last;
						}
					}
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				return last;
			}, pool));
		}
		statuses.forEach((status) -> assertThat(status.join()).isEqualTo(200));
		pool.shutdown();
		// The fetches the storm started may still be waiting for their turn: every one must have
		// reached the stand-in before the gaps are measured.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.balanceService.caches().stream().allMatch(RefreshingCache::isIdle));
		for (String authorization : List.of("Bearer " + UpstreamStubs.KLING_KEY_A, "Bearer " + UpstreamStubs.KLING_KEY_B)) {
			List<Instant> times = stubs.klingRequests(authorization)
				.stream()
				.map(LoggedRequest::getLoggedDate)
				.map(java.util.Date::toInstant)
				.sorted(Comparator.naturalOrder())
				.toList();
			assertThat(times).as("requests with one credential during a 5 s storm").hasSizeGreaterThanOrEqualTo(3);
			for (int i = 1; i < times.size(); i++) {
				assertThat(Duration.between(times.get(i - 1), times.get(i)))
					.as("gap between Kling requests %d and %d", i - 1, i)
					.isGreaterThanOrEqualTo(Duration.ofSeconds(1));
			}
		}
	}

	@Test
	void oneFailingAccountLeavesTheOthersIntact(CapturedOutput output) throws Exception {
		stubs.server().stubFor(get(urlPathEqualTo("/kling/account/costs"))
			.withHeader("Authorization", equalTo("Bearer " + UpstreamStubs.KLING_KEY_B))
			.willReturn(aResponse().withStatus(429)
				.withHeader("Content-Type", "application/json")
				.withBody("{\"code\":1101,\"message\":\"Account arrears\",\"request_id\":\"r\"}")));
		JsonNode body = balances("");
		assertThat(body.get("complete").asBoolean()).isFalse();
		JsonNode failed = account(body, "kling", "team-b");
		assertThat(failed.get("remaining").isNull()).isTrue();
		assertThat(failed.get("error").get("code").asString()).isEqualTo("ACCOUNT_IN_ARREARS");
		assertThat(failed.get("error").get("upstreamStatus").asInt()).isEqualTo(429);
		assertThat(account(body, "kling", "team-a").get("remaining").decimalValue()).isEqualByComparingTo("118");
		assertThat(account(body, "useapi", UpstreamStubs.EMAIL_1).get("error").isNull()).isTrue();
		assertThat(stubs.klingRequests("Bearer " + UpstreamStubs.KLING_KEY_B)).as("account states are not retried")
			.hasSize(1);
		assertNoSecret(body.toString(), output.getAll());
	}

	@Test
	void outageAfterAGoodFetchKeepsTheLastFiguresMarkedStale(CapturedOutput output) throws Exception {
		JsonNode good = balances("?provider=useapi");
		String fetchedAt = account(good, "useapi", UpstreamStubs.EMAIL_1).get("fetchedAt").asString();
		stubs.server().stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/first@example.com"))
			.willReturn(aResponse().withStatus(503).withBody("<html>Service Unavailable</html>")));
		JsonNode stale = balances("?provider=useapi&refresh=true");
		JsonNode first = account(stale, "useapi", UpstreamStubs.EMAIL_1);
		assertThat(first.get("remaining").decimalValue()).isEqualByComparingTo("56000");
		assertThat(first.get("stale").asBoolean()).isTrue();
		assertThat(first.get("fetchedAt").asString()).isEqualTo(fetchedAt);
		assertThat(first.get("error").get("code").asString()).isEqualTo("UPSTREAM_UNAVAILABLE");
		assertThat(first.get("error").get("upstreamStatus").asInt()).isEqualTo(503);
		assertThat(stale.get("complete").asBoolean()).isFalse();
		assertNoSecret(stale.toString(), output.getAll());
	}

	@Test
	void singleAccountIsAddressedByIdOrEmail() throws Exception {
		HttpResponse<String> kling = call("/balances/kling/team-a");
		assertThat(kling.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(kling.body()).get("remaining").decimalValue()).isEqualByComparingTo("118");
		HttpResponse<String> useapi = call("/balances/useapi/second+video@example.com");
		assertThat(useapi.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(useapi.body()).get("account").asString()).isEqualTo(UpstreamStubs.EMAIL_2);
		HttpResponse<String> unknown = call("/balances/useapi/nobody@example.com");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(stubs.useapiRequests("/nobody@example.com")).isEmpty();
	}

	@Test
	void notModifiedWhenTheClientHasTheCurrentEtag() throws Exception {
		HttpResponse<String> first = call("/balances?provider=kling");
		String etag = first.headers().firstValue("ETag").orElseThrow();
		assertThat(first.headers().firstValue("Cache-Control").orElseThrow()).matches("max-age=\\d+, private");
		HttpResponse<String> second = this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/balances?provider=kling"))
					.header("If-None-Match", etag)
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(second.statusCode()).isEqualTo(304);
		assertThat(second.body()).isEmpty();
	}

	@Test
	void cachesAreVisibleToActuatorAndMetrics() throws Exception {
		balances("");
		balances("");
		JsonNode caches = this.json.readTree(call("/actuator/caches").body());
		assertThat(caches.toString()).contains("balances.kling", "balances.useapi", "accounts.useapi");
		String prometheus = call("/actuator/prometheus").body();
		assertThat(prometheus).contains("cache_gets_total{cache=\"balances.kling\"")
			.contains("balances_fetch_seconds_count{cache=\"balances.kling\"");
	}

	private static void assertNoSecret(String body, String logs) {
		for (String secret : SECRETS) {
			assertThat(body).doesNotContain(secret);
			assertThat(logs).doesNotContain(secret);
		}
	}

}
