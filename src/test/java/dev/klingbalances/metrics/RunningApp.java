package dev.klingbalances.metrics;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Test-side client of the app under test: {@code /balances}, scrapes, and the two compared. */
record RunningApp(int port, JsonMapper json, HttpClient http) {

	RunningApp(int port, JsonMapper json) {
		this(port, json, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
	}

	/**
	 * Waits until a scrape taken between two identical answers of {@code /balances} (same
	 * ETag: the same cache state) shows exactly the gauges that answer implies, and returns them.
	 * @param threshold the low-balance threshold the test configured for an account, or null
	 */
	Map<Scrape.Series, BigDecimal> awaitGaugesInStep(Function<JsonNode, @Nullable BigDecimal> threshold) {
		AtomicReference<Map<Scrape.Series, BigDecimal>> result = new AtomicReference<>();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			HttpResponse<String> before = call("/balances");
			Map<Scrape.Series, BigDecimal> scraped = Scrape.parse(scrapeText()).decimals(ExpectedGauges.NAMES);
			HttpResponse<String> after = call("/balances");
			assertThat(before.statusCode()).isEqualTo(200);
			assertThat(after.headers().firstValue("ETag")).isEqualTo(before.headers().firstValue("ETag"));
			assertThat(scraped).isEqualTo(ExpectedGauges.of(this.json.readTree(before.body()), threshold));
			result.set(scraped);
		});
		return result.get();
	}

	/**
	 * Polls {@code /balances} (which fetches only what is due) until the answer shows what the
	 * test set up: fetches that ran past the response deadline have landed.
	 */
	JsonNode awaitBalances(String expectation, Predicate<JsonNode> shows) {
		AtomicReference<JsonNode> answer = new AtomicReference<>();
		await().atMost(Duration.ofSeconds(30)).alias(expectation).until(() -> {
			answer.set(balances(""));
			return shows.test(answer.get());
		});
		return answer.get();
	}

	/** One account of an answer of {@code /balances}, or a missing node. */
	static JsonNode account(JsonNode balances, String provider, String account) {
		for (JsonNode node : balances.get("accounts")) {
			if (node.get("provider").asString().equals(provider) && node.get("account").asString().equals(account)) {
				return node;
			}
		}
		return tools.jackson.databind.node.MissingNode.getInstance();
	}

	JsonNode balances(String query) throws Exception {
		HttpResponse<String> response = call("/balances" + query);
		assertThat(response.statusCode()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	String scrapeText() throws Exception {
		HttpResponse<String> response = call("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	HttpResponse<String> call(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
