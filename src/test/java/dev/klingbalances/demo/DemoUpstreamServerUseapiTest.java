package dev.klingbalances.demo;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class DemoUpstreamServerUseapiTest {

	private static final String TOKEN = "test-useapi-token";

	private static final Duration DAY = Duration.ofDays(1);

	private final DemoHttp http = new DemoHttp();

	private DemoUpstreamServer server;

	@BeforeEach
	void startServer() {
		this.server = new DemoUpstreamServer(new DemoProperties(0, Duration.ZERO, Duration.ZERO, 2, 16, 0), List.of(),
				TOKEN);
		this.server.start();
	}

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void discoveryListsTwoAccountsAsAnObjectKeyedByEmailWithoutBalance() throws Exception {
		HttpResponse<String> response = get("/v1/kling/accounts", "Bearer " + TOKEN);

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode accounts = DemoHttp.json(response);
		assertThat(accounts.isObject()).isTrue();
		List<String> emails = new ArrayList<>(accounts.propertyNames());
		assertThat(emails).hasSize(2).allMatch((email) -> email.contains("@"));
		for (String email : emails) {
			JsonNode account = accounts.get(email);
			assertThat(account.get("email").asString()).isEqualTo(email);
			assertThat(account.get("password").asString()).isEqualTo("…secured…");
			assertThat(account.get("session").get("userId").asString()).isNotBlank();
			assertThat(account.get("maxJobs").asInt()).isPositive();
			assertThat(account.has("balance")).isFalse();
		}
	}

	@Test
	void accountByUrlEncodedEmailCarriesPointsWhoseBalancesMakeTheTotal() throws Exception {
		for (String email : emails()) {
			HttpResponse<String> response = get("/v1/kling/accounts/" + email.replace("@", "%40"), "Bearer " + TOKEN);

			assertThat(response.statusCode()).as(email).isEqualTo(200);
			JsonNode account = DemoHttp.json(response);
			assertThat(account.get("email").asString()).isEqualTo(email);
			JsonNode balance = account.get("balance");
			assertThat(balance.get("tickets").isArray()).isTrue();
			long sum = 0;
			for (JsonNode point : balance.get("points")) {
				assertThat(point.get("orderId").asString()).isNotBlank();
				assertThat(point.get("type").asString()).isNotBlank();
				assertThat(point.get("balance").asLong()).isBetween(0L, point.get("amount").asLong());
				sum += point.get("balance").asLong();
			}
			assertThat(sum).isPositive();
			assertThat(balance.get("total").asLong()).isEqualTo(sum);
		}
	}

	@Test
	void oneAccountReportsEpochSecondsAndTheOtherMillisecondsBothNearNow() throws Exception {
		Instant now = Instant.now();
		List<String> units = new ArrayList<>();
		for (String email : emails()) {
			JsonNode account = DemoHttp.json(get("/v1/kling/accounts/" + email, "Bearer " + TOKEN));
			long expireTime = account.get("session").get("ExpireTime").asLong();
			boolean seconds = expireTime < 100_000_000_000L;
			units.add(seconds ? "seconds" : "milliseconds");
			Instant expires = epoch(expireTime, seconds);
			assertThat(expires).isBetween(now, now.plus(DAY.multipliedBy(60)));
			assertThat(Instant.parse(account.get("session").get("ExpireTimeUTC").asString())).isEqualTo(expires);
			assertThat(account.get("session").get("ExpireTimeUTC").asString()).matches(
					"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.000Z");
			JsonNode balance = account.get("balance");
			assertThat(epoch(balance.get("nextApplyTime").asLong(), seconds)).isBetween(now,
					now.plus(DAY.multipliedBy(60)));
			for (JsonNode point : balance.get("points")) {
				Instant start = epoch(point.get("startTime").asLong(), seconds);
				Instant end = epoch(point.get("endTime").asLong(), seconds);
				assertThat(start).isBetween(now.minus(DAY.multipliedBy(90)), now).isBefore(end);
				assertThat(end).isBefore(now.plus(DAY.multipliedBy(60)));
				if (point.get("balance").asLong() > 0) {
					assertThat(end).as("a point with credits left is still valid").isAfter(now);
				}
			}
		}
		assertThat(units).containsExactly("seconds", "milliseconds");
	}

	@Test
	void unknownEmailIsNotFoundInPlainText() throws Exception {
		HttpResponse<String> response = get("/v1/kling/accounts/nobody%40example.com", "Bearer " + TOKEN);

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/plain"));
		assertThat(response.body()).contains("Account configuration not found");
	}

	@Test
	void wrongOrMissingTokenIsUnauthorizedInUseapisShape() throws Exception {
		for (String authorization : new String[] { "Bearer wrong-token", "Bearer " + TOKEN + "x", null }) {
			HttpResponse<String> listing = get("/v1/kling/accounts", authorization);
			HttpResponse<String> single = get("/v1/kling/accounts/" + emails().get(0), authorization);

			for (HttpResponse<String> response : List.of(listing, single)) {
				assertThat(response.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
				JsonNode body = DemoHttp.json(response);
				assertThat(body.get("error").asString()).isEqualTo("Unauthorized");
				assertThat(body.get("code").asInt()).isEqualTo(401);
			}
		}
	}

	@Test
	void withoutAConfiguredTokenEveryRequestIsUnauthorized() throws Exception {
		try (DemoUpstreamServer tokenless = new DemoUpstreamServer(
				new DemoProperties(0, Duration.ZERO, Duration.ZERO, 1, 4, 0), List.of(), null)) {
			tokenless.start();

			HttpResponse<String> response = this.http.get(URI.create(tokenless.useapiBaseUrl() + "/v1/kling/accounts"),
					"Bearer ");

			assertThat(response.statusCode()).isEqualTo(401);
		}
	}

	@Test
	void simulatedLatencyDelaysEveryAnswer() throws Exception {
		try (DemoUpstreamServer slow = new DemoUpstreamServer(
				new DemoProperties(0, Duration.ofMillis(300), Duration.ZERO, 1, 4, 0), List.of(), TOKEN)) {
			slow.start();
			long started = System.nanoTime();

			HttpResponse<String> response = this.http.get(URI.create(slow.useapiBaseUrl() + "/v1/kling/accounts"),
					"Bearer " + TOKEN);

			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		}
	}

	private List<String> emails() throws Exception {
		return new ArrayList<>(DemoHttp.json(get("/v1/kling/accounts", "Bearer " + TOKEN)).propertyNames());
	}

	private HttpResponse<String> get(String path, String authorization) throws Exception {
		return this.http.get(URI.create(this.server.useapiBaseUrl() + path), authorization);
	}

	private static Instant epoch(long value, boolean seconds) {
		return seconds ? Instant.ofEpochSecond(value) : Instant.ofEpochMilli(value);
	}

}
