package dev.klingbalances.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.balance.FakeProvider;
import dev.klingbalances.provider.BalanceProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.klingbalances.notify.NotifyFixture.SECRET;
import static dev.klingbalances.notify.NotifyFixture.remaining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The application as deployed: the schedules started on ApplicationReadyEvent, the outbox's
 * retries (with short waits and a give-up age of 2 s, in real time), three receivers: one that answers, one that
 * always fails, one that never answers. One account ({@code fake/team-a}) is below its threshold
 * from the start, and its figures (TTL 1 s) keep being refreshed by the sweep.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "balances.security.mode=none", "balances.cache.sweep-interval=100ms",
				"balances.alerts.low-balance.units=1000", "balances.notify.timeout=50s",
				"balances.notify.retry-wait=20ms", "balances.notify.max-retry-wait=100ms",
				"balances.notify.give-up-after=2s", "balances.notify.outbox-check-interval=50ms" })
@Import(NotificationsApplicationTest.Providers.class)
// Closed after this class: its 100 ms sweep and evaluation and the worker held by the dead
// receiver would otherwise go on loading the JVM while every later test runs.
@DirtiesContext
class NotificationsApplicationTest {

	private static final WireMockServer receivers = new WireMockServer(
			options().bindAddress("127.0.0.1").dynamicPort().jettyStopTimeout(100L));

	@DynamicPropertySource
	static void webhooks(DynamicPropertyRegistry registry) {
		receivers.start();
		receivers.stubFor(post(urlPathEqualTo("/good")).willReturn(aResponse().withStatus(204)));
		receivers.stubFor(post(urlPathEqualTo("/failing")).willReturn(aResponse().withStatus(503)));
		receivers.stubFor(post(urlPathEqualTo("/dead")).willReturn(aResponse().withStatus(200).withFixedDelay(60_000)));
		String base = "http://127.0.0.1:" + receivers.port();
		String[] names = { "good", "failing", "dead" };
		for (int i = 0; i < names.length; i++) {
			String prefix = "balances.notify.webhooks[" + i + "].";
			String name = names[i];
			registry.add(prefix + "name", () -> name);
			registry.add(prefix + "url", () -> base + "/" + name);
			registry.add(prefix + "secret", () -> SECRET);
		}
	}

	@AfterAll
	static void stopReceivers() {
		receivers.stop();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private FakeProvider fake;

	@Autowired
	private WebhookSender sender;

	@Autowired
	private JsonMapper json;

	private final HttpClient http = HttpClient.newHttpClient();

	private int received(String path) {
		return receivers.findAll(postRequestedFor(urlPathEqualTo(path))).size();
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(30))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void theScheduleNotifiesOnceAndAFailingReceiverGetsRetriesUntilTheGiveUpAge() throws Exception {
		await().atMost(Duration.ofSeconds(30)).until(() -> received("/good") == 1 && received("/failing") >= 2
				&& this.sender.pending() == 1);
		int attempts = received("/failing");
		// Evaluations go on every 100 ms: nothing more arrives while the condition holds, and the
		// failing receiver's notice, given up, is not tried again.
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
			.until(() -> received("/good") == 1 && received("/failing") == attempts);
		assertThat(receivers.findAll(postRequestedFor(urlPathEqualTo("/failing"))))
			.extracting((request) -> request.getHeader("X-Kling-Balances-Event-Id"))
			.as("one event, attempted again and again")
			.hasSize(attempts)
			.containsOnly(receivers.findAll(postRequestedFor(urlPathEqualTo("/failing"))).get(0).getHeader("X-Kling-Balances-Event-Id"));
		// Serialized by the application's JsonMapper: figures that do not apply are left out, times are ISO-8601.
		LoggedRequest request = receivers.findAll(postRequestedFor(urlPathEqualTo("/good"))).get(0);
		JsonNode event = this.json.readTree(request.getBodyAsString());
		assertThat(event.get("figures").propertyNames()).containsExactlyInAnyOrder("remaining", "total", "threshold");
		assertThat(Instant.parse(event.get("occurredAt").asString())).isNotNull();
		assertThat(event.get("account").asString()).isEqualTo("team-a");
		assertThat(request.getHeader("X-Kling-Balances-Signature")).isEqualTo(WebhookSignature.sign(SECRET,
				Long.parseLong(request.getHeader("X-Kling-Balances-Timestamp")), request.getBody()));
		String metrics = get("/actuator/prometheus").body();
		assertThat(metrics).containsPattern(
				"balances_notify_notifications_total\\{outcome=\"sent\",type=\"LOW_BALANCE\",webhook=\"good\"} 1.0")
			.containsPattern(
					"balances_notify_notifications_total\\{outcome=\"expired\",type=\"LOW_BALANCE\",webhook=\"failing\"} 1.0")
			.containsPattern("balances_notify_pending\\{webhook=\"dead\"} 1.0");
	}

	@Test
	void aDeadReceiverDelaysNeitherBalancesNorTheSweep() {
		await().atMost(Duration.ofSeconds(30)).until(() -> received("/dead") == 1);
		int fetches = this.fake.fetches("team-a");
		assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
			for (int i = 0; i < 20; i++) {
				HttpResponse<String> answer = get("/balances");
				assertThat(answer.statusCode()).isEqualTo(200);
				assertThat(answer.body()).contains("\"account\":\"team-a\"");
			}
		}, "/balances must not wait for a receiver");
		// The sweep refreshes the 1 s TTL figures again and again meanwhile.
		await().atMost(Duration.ofSeconds(20)).until(() -> this.fake.fetches("team-a") >= fetches + 3);
		assertThat(received("/dead")).as("the receiver still holds the first request").isEqualTo(1);
		// The dead receiver's notice stays, in delivery (the failing one's is given up after 2 s).
		await().atMost(Duration.ofSeconds(20)).until(() -> this.sender.pending() == 1);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Providers {

		/** A {@link BalanceProvider} the service finds like any other. */
		@Bean
		FakeProvider fakeProvider() {
			FakeProvider provider = new FakeProvider("fake", "units", Duration.ofSeconds(1), "team-a");
			return provider.answer("team-a", () -> Mono.just(remaining("950")));
		}

	}

}
