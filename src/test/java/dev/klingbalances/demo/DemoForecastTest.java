package dev.klingbalances.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo shows what the service is for without anyone polling: its accounts are used up as
 * time passes, so a forecast and expiry warnings appear on their own. The demo's minutes are
 * compressed ({@link CompressedDemo}) so the test takes seconds.
 */
class DemoForecastTest extends CompressedDemo {

	@Autowired
	private JsonMapper json;

	@Test
	void forecastsAndExpiryWarningsAppearOnTheirOwn() throws Exception {
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode main = account("kling", "studio-main");
			// Video and image apart: each with its own forecast, no account-wide figure.
			assertThat(main.get("remaining").isNull()).as(main.toString()).isTrue();
			for (String product : new String[] { "video", "image" }) {
				JsonNode forecast = product(main, product).get("forecast");
				assertThat(forecast.get("burnPerDay").isNumber()).as(main.toString()).isTrue();
				assertThat(forecast.get("burnPerDay").decimalValue()).isPositive();
				assertThat(forecast.get("runsOutAt").isString()).as(main.toString()).isTrue();
			}
			// The video runs out before the pending video pack starts: that start is the refill.
			assertThat(product(main, "video").get("forecast").get("refillsAt").isString()).as(main.toString()).isTrue();
		});
		JsonNode backup = account("kling", "studio-backup");
		assertThat(backup.get("expiringSoon").valueStream().map((entry) -> entry.get("kind").asString()))
			.as("a pack expiring within days").contains("GRANT");
		JsonNode creator = account("useapi", "backup.studio@example.com");
		assertThat(creator.get("expiringSoon").valueStream().map((entry) -> entry.get("kind").asString()))
			.as("a session expiring within days").contains("SESSION");
		JsonNode history = get("/balances/kling/studio-main/history");
		assertThat(history.get("points").size()).isGreaterThan(1);
		JsonNode first = history.get("points").get(0);
		JsonNode last = history.get("points").get(history.get("points").size() - 1);
		assertThat(first.get("remaining").isNull()).as("two products: no account-wide figure").isTrue();
		assertThat(product(first, "video").get("remaining").decimalValue()).as("used up as time passes")
			.isGreaterThan(product(last, "video").get("remaining").decimalValue());
	}

	/** The entry of one product in an account's (or a history point's) products. */
	private static JsonNode product(JsonNode node, String product) {
		return node.get("products").valueStream()
			.filter((entry) -> entry.get("product").asString().equals(product))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + product + " in " + node));
	}

	private JsonNode account(String provider, String account) throws Exception {
		return get("/balances/" + provider + "/" + account);
	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

}
