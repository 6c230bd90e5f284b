package dev.klingbalances.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.balance.FakeProvider;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.notify.NotificationOutbox.Notice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.klingbalances.notify.NotifyFixture.QUERY_SECRET;
import static dev.klingbalances.notify.NotifyFixture.SECRET;
import static dev.klingbalances.notify.NotifyFixture.UPSTREAM_TOKEN;
import static dev.klingbalances.notify.NotifyFixture.answers;
import static dev.klingbalances.notify.NotifyFixture.fails;
import static dev.klingbalances.notify.NotifyFixture.remaining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Delivery: retries and what is not retried, formats, filters, a dead receiver, and secrets.
 * One low account ({@code team-a} below its threshold) is the event unless a test says otherwise.
 */
@ExtendWith(OutputCaptureExtension.class)
class WebhookDeliveryTest {

	private static final String HOOK = NotifyFixture.PATH;

	private final WireMockServer wireMock = new WireMockServer(
			options().bindAddress("127.0.0.1").dynamicPort().jettyStopTimeout(100L));

	private final FakeProvider kling = new FakeProvider("kling", "units", Duration.ofMinutes(15), "team-a", "team-b",
			"team-c");

	private NotifyFixture fixture;

	@BeforeEach
	void start() {
		this.wireMock.start();
		answers(this.kling, "team-a", remaining("950"));
		answers(this.kling, "team-b", remaining("3000"));
		answers(this.kling, "team-c", remaining("3000"));
	}

	@AfterEach
	void stop() {
		if (this.fixture != null) {
			this.fixture.close();
		}
		this.wireMock.stop();
	}

	private NotifyFixture fixture(String... notifySettings) {
		this.fixture = new NotifyFixture(this.wireMock, List.of(this.kling),
				List.of("balances.alerts.low-balance.units=1000"), notifySettings);
		return this.fixture;
	}

	/** One signed json webhook named {@code ops} at {@link #HOOK}. */
	private NotifyFixture jsonWebhook(String... moreSettings) {
		List<String> settings = new ArrayList<>(List.of("balances.notify.webhooks[0].name=ops",
				"balances.notify.webhooks[0].url=http://127.0.0.1:" + this.wireMock.port() + HOOK + "?token=" + QUERY_SECRET,
				"balances.notify.webhooks[0].secret=" + SECRET));
		settings.addAll(List.of(moreSettings));
		return fixture(settings.toArray(String[]::new));
	}

	private void fire(NotifyFixture fixture) {
		fixture.refresh();
		fixture.evaluate();
	}

	/** Delivers everything (in virtual time: retry waits pass at once), then counts the requests. */
	private static void awaitRequests(NotifyFixture fixture, String path, int count) {
		fixture.awaitDelivered();
		assertThat(fixture.received(path)).hasSize(count);
	}

	private void failsFirstWith(int status) {
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).inScenario("flaky")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(status))
			.willSetStateTo("recovered"));
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).inScenario("flaky")
			.whenScenarioStateIs("recovered")
			.willReturn(aResponse().withStatus(200)));
	}

	@Test
	void aFailedAttemptIsRetriedAndTheEventDeliveredExactlyOnceMore() {
		failsFirstWith(500);
		NotifyFixture fixture = jsonWebhook();
		fire(fixture);
		awaitRequests(fixture, HOOK, 2);
		fixture.evaluate();
		fixture.awaitDelivered();
		assertThat(fixture.received(HOOK)).hasSize(2);
		assertThat(fixture.received(HOOK)).extracting((request) -> request.getHeader("X-Kling-Balances-Event-Id"))
			.as("one event, attempted twice")
			.containsOnly(fixture.events(HOOK).get(0).get("id").asString());
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "sent")).isEqualTo(1);
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "failed")).isZero();
	}

	@ParameterizedTest
	@ValueSource(ints = { 408, 429, 502, 503 })
	void answersAnotherAttemptMayFixAreRetried(int status) {
		failsFirstWith(status);
		NotifyFixture fixture = jsonWebhook();
		fire(fixture);
		awaitRequests(fixture, HOOK, 2);
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "sent")).isEqualTo(1);
	}

	@Test
	void aConnectionResetIsRetried() {
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).inScenario("reset")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))
			.willSetStateTo("recovered"));
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).inScenario("reset")
			.whenScenarioStateIs("recovered")
			.willReturn(aResponse().withStatus(202)));
		NotifyFixture fixture = jsonWebhook();
		fire(fixture);
		awaitRequests(fixture, HOOK, 2);
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "sent")).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(ints = { 301, 400, 401, 403, 404, 410, 422 })
	void otherAnswersAreNeverRetried(int status, CapturedOutput output) {
		failsFirstWith(status);
		NotifyFixture fixture = jsonWebhook();
		fire(fixture);
		awaitRequests(fixture, HOOK, 1);
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "failed")).isEqualTo(1);
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "sent")).isZero();
		assertThat(output.getAll()).contains("Gave up notification LOW_BALANCE FIRING for kling/team-a to webhook 'ops'")
			.contains("after 1 attempt(s): HTTP " + status);
	}

	@Test
	void aReceiverFailingForTwoMinutesGetsTheNoticeOnceItAnswersAndTheResolvedAfterIt() {
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).willReturn(aResponse().withStatus(500)));
		NotifyFixture fixture = jsonWebhook();
		fire(fixture);
		fixture.awaitIdle();
		assertThat(fixture.received(HOOK)).as("the first attempt").hasSize(1);
		// Meanwhile the account recovers: the RESOLVED queues behind its FIRING.
		answers(this.kling, "team-a", remaining("1100"));
		fire(fixture);

		// Virtual time: the receiver answers 500 until two minutes after the transition, then 200.
		Instant recovers = NotifyFixture.T0.plus(Duration.ofMinutes(2));
		boolean answering = false;
		for (Notice next = fixture.store.next("ops"); next != null; next = fixture.store.next("ops")) {
			if (!answering && !next.notBefore().isBefore(recovers)) {
				this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).willReturn(aResponse().withStatus(200)));
				answering = true;
			}
			if (next.notBefore().isAfter(fixture.clock.instant())) {
				fixture.clock.setTo(next.notBefore());
			}
			fixture.sender.deliverDue();
			fixture.awaitIdle();
		}
		assertThat(answering).isTrue();
		// Attempts at 0, 2, 6, 14, 30 and 62 s got 500; the one at 126 s got through, and the RESOLVED right after.
		List<LoggedRequest> requests = fixture.received(HOOK);
		assertThat(requests).hasSize(8);
		List<JsonNode> events = fixture.events(HOOK);
		String firingId = events.get(0).get("id").asString();
		assertThat(requests.subList(0, 7)).extracting((request) -> request.getHeader("X-Kling-Balances-Event-Id"))
			.as("one event id on every attempt")
			.containsOnly(firingId);
		assertThat(events.subList(0, 7)).extracting((event) -> event.get("id").asString()).containsOnly(firingId);
		assertThat(events.get(7).get("state").asString()).isEqualTo("RESOLVED");
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "sent")).isEqualTo(2);
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "failed")).isZero();

		// Delivered is delivered: nothing more, however long.
		fixture.after(Duration.ofHours(1));
		fixture.awaitDelivered();
		assertThat(fixture.received(HOOK)).hasSize(8);
	}

	@Test
	void aNoticeNotDeliveredWithinGiveUpAfterIsDroppedWithAWarningAndCounted(CapturedOutput output) {
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).willReturn(aResponse().withStatus(503)));
		NotifyFixture fixture = jsonWebhook("balances.notify.give-up-after=10m");
		fire(fixture);
		// Attempts at 0, 2, 6, 14, 30, 62, 126, 254 and 510 s (waits doubling from 2 s, at most 5 min);
		// the next would be at 810 s, past the 10 minutes: dropped then.
		awaitRequests(fixture, HOOK, 9);
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "expired")).isEqualTo(1);
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "sent")).isZero();
		assertThat(fixture.clock.instant()).isEqualTo(NotifyFixture.T0.plusSeconds(810));
		assertThat(output.getAll()).contains("WARN")
			.contains("Gave up notification LOW_BALANCE FIRING for kling/team-a to webhook 'ops'")
			.contains("after 9 attempt(s): not delivered within PT10M (balances.notify.give-up-after); last failure: HTTP 503");
		// Given up is given up: the condition still holds, it is not sent again.
		fixture.evaluate();
		fixture.awaitDelivered();
		assertThat(fixture.received(HOOK)).hasSize(9);
	}

	@Test
	void waitsBetweenAttemptsDoubleUpToTheLongest() {
		NotifyFixture fixture = jsonWebhook();
		assertThat(List.of(1, 2, 3, 8, 9, 100)).extracting(fixture.sender::retryWait)
			.containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(256),
					Duration.ofMinutes(5), Duration.ofMinutes(5));
	}

	@Test
	void aSlackWebhookGetsOneReadableLineAndNoSignature() {
		this.wireMock.stubFor(post(urlPathEqualTo("/slack")).willReturn(aResponse().withStatus(200).withBody("ok")));
		NotifyFixture fixture = fixture("balances.notify.webhooks[0].name=team-slack",
				"balances.notify.webhooks[0].url=http://127.0.0.1:" + this.wireMock.port() + "/slack",
				"balances.notify.webhooks[0].format=slack");
		fire(fixture);
		awaitRequests(fixture, "/slack", 1);
		LoggedRequest request = fixture.received("/slack").get(0);
		JsonNode body = fixture.json.readTree(request.getBodyAsString());
		assertThat(body.propertyNames()).containsExactly("text");
		assertThat(body.get("text").asString()).isEqualTo(
				":rotating_light: *FIRING* LOW_BALANCE: kling/team-a (video) is low: 950 units left, below the threshold of 1000.");
		assertThat(request.containsHeader("X-Kling-Balances-Signature")).isFalse();

		answers(this.kling, "team-a", remaining("1100"));
		fire(fixture);
		awaitRequests(fixture, "/slack", 2);
		assertThat(fixture.json.readTree(fixture.received("/slack").get(1).getBodyAsString()).get("text").asString())
			.isEqualTo(":white_check_mark: *RESOLVED* LOW_BALANCE: kling/team-a (video) is no longer low: 1100 units left (threshold 1000).");
	}

	@Test
	void slackTextEscapesWhatSlackReadsAsMarkup() {
		NotificationEvent event = new NotificationEvent(1, "id", EventType.UPSTREAM_OUTAGE, NotificationEvent.State.FIRING,
				NotificationEvent.Scope.ACCOUNT, NotifyFixture.T0, "kling", "a", null, "units", "<b> & <!channel>", "f",
				NotificationEvent.Figures.NONE);
		assertThat(WebhookSender.slackText(event))
			.isEqualTo(":rotating_light: *FIRING* UPSTREAM_OUTAGE: &lt;b&gt; &amp; &lt;!channel&gt;");
	}

	@Test
	void aWebhookGetsOnlyTheTypesItAsksFor() {
		this.wireMock.stubFor(post(urlPathEqualTo("/low")).willReturn(aResponse().withStatus(200)));
		this.wireMock.stubFor(post(urlPathEqualTo("/errors")).willReturn(aResponse().withStatus(200)));
		NotifyFixture fixture = fixture("balances.notify.webhooks[0].name=low",
				"balances.notify.webhooks[0].url=http://127.0.0.1:" + this.wireMock.port() + "/low",
				"balances.notify.webhooks[0].secret=" + SECRET, "balances.notify.webhooks[0].types=low-balance",
				"balances.notify.webhooks[1].name=errors",
				"balances.notify.webhooks[1].url=http://127.0.0.1:" + this.wireMock.port() + "/errors",
				"balances.notify.webhooks[1].secret=" + SECRET,
				"balances.notify.webhooks[1].types=account-action-required,upstream-outage");
		fails(this.kling, "team-b", ErrorCode.ACCOUNT_IN_ARREARS);
		fire(fixture);
		fixture.after(Duration.ofMinutes(16));
		awaitRequests(fixture, "/low", 1);
		awaitRequests(fixture, "/errors", 1);
		assertThat(fixture.events("/low").get(0).get("type").asString()).isEqualTo("LOW_BALANCE");
		assertThat(fixture.events("/errors").get(0).get("type").asString()).isEqualTo("ACCOUNT_ACTION_REQUIRED");
		assertThat(fixture.events("/errors").get(0).get("account").asString()).isEqualTo("team-b");
	}

	@Test
	void aDeadReceiverDelaysNeitherEvaluationNorFetchesNorAnotherWebhook() {
		this.wireMock.stubFor(post(urlPathEqualTo("/dead")).willReturn(aResponse().withStatus(200).withFixedDelay(60_000)));
		this.wireMock.stubFor(post(urlPathEqualTo("/live")).willReturn(aResponse().withStatus(200)));
		NotifyFixture fixture = fixture("balances.notify.timeout=50s", "balances.notify.webhooks[0].name=dead",
				"balances.notify.webhooks[0].url=http://127.0.0.1:" + this.wireMock.port() + "/dead",
				"balances.notify.webhooks[0].secret=" + SECRET, "balances.notify.webhooks[1].name=live",
				"balances.notify.webhooks[1].url=http://127.0.0.1:" + this.wireMock.port() + "/live",
				"balances.notify.webhooks[1].format=slack");
		answers(this.kling, "team-b", remaining("900"));
		// Two accounts go low. The dead receiver takes the first request and holds it (60 s, longer
		// than this test); the live one gets both.
		Map<String, List<NotificationEvent>> queued = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
			fixture.refresh();
			return fixture.evaluate();
		}, "evaluation must not wait for a receiver");
		assertThat(queued.get("dead")).hasSize(2);
		await().atMost(Duration.ofSeconds(20)).until(() -> fixture.received("/live").size() == 2);
		await().atMost(Duration.ofSeconds(20)).until(() -> fixture.received("/dead").size() == 1);
		assertThat(fixture.count("live", EventType.LOW_BALANCE, "sent")).isEqualTo(2);
		// While the dead receiver still holds its request, fetching and evaluating go on unhindered,
		// and the live webhook still gets what comes next.
		answers(this.kling, "team-a", remaining("2000"));
		assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
			for (int i = 0; i < 5; i++) {
				fixture.after(Duration.ofMinutes(1));
			}
		});
		assertThat(this.kling.fetches("team-a")).isEqualTo(6);
		await().atMost(Duration.ofSeconds(20)).until(() -> fixture.received("/live").size() == 3);
		assertThat(fixture.received("/dead")).as("still the first request").hasSize(1);
		assertThat(fixture.sender.pending()).as("the dead webhook's three: one in delivery, two waiting").isEqualTo(3);
	}

	@Test
	void aFullOutboxHoldsTransitionsBackUntilThereIsRoomAndLosesNone(CapturedOutput output) {
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).willReturn(aResponse().withStatus(503)));
		NotifyFixture fixture = jsonWebhook("balances.notify.queue-capacity=1");
		answers(this.kling, "team-b", remaining("900"));
		answers(this.kling, "team-c", remaining("800"));
		// Three accounts go low; the outbox holds one notice, whose receiver fails.
		fire(fixture);
		fixture.awaitIdle();
		assertThat(fixture.store.size("ops")).isEqualTo(1);
		assertThat(fixture.store.firing("ops")).as("only the queued transition is recorded").hasSize(1);
		assertThat(output.getAll()).contains("WARN")
			.contains("The outbox of webhook 'ops' is full (1 notices, balances.notify.queue-capacity)");
		fixture.evaluate();
		assertThat(fixture.store.size("ops")).isEqualTo(1);

		// The receiver is back: each evaluation queues what now fits, until every account was told once.
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).willReturn(aResponse().withStatus(200)));
		for (int i = 0; i < 3; i++) {
			fixture.awaitDelivered();
			fixture.evaluate();
		}
		fixture.awaitDelivered();
		// team-a's notice was attempted twice (503, then 200), with one id; one event per account.
		assertThat(fixture.events(HOOK, EventType.LOW_BALANCE, NotificationEvent.State.FIRING)
			.stream()
			.map((event) -> event.get("account").asString() + " " + event.get("id").asString())
			.distinct()
			.map((event) -> event.substring(0, event.indexOf(' '))))
			.containsExactlyInAnyOrder("team-a", "team-b", "team-c");
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "sent")).isEqualTo(3);
	}

	@Test
	void noSecretInAnyPayloadHeaderOrLogLine(CapturedOutput output) {
		Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
		Logger notify = (Logger) LoggerFactory.getLogger("dev.klingbalances.notify");
		Level rootLevel = root.getLevel();
		Level notifyLevel = notify.getLevel();
		// Everything this package logs; the receiver's (WireMock's) own logging is not ours.
		root.setLevel(Level.INFO);
		notify.setLevel(Level.TRACE);
		try {
			failsFirstWith(500);
			this.wireMock.stubFor(post(urlPathEqualTo("/refuses")).willReturn(aResponse().withStatus(404)));
			NotifyFixture fixture = fixture("balances.notify.webhooks[0].name=ops",
					"balances.notify.webhooks[0].url=http://127.0.0.1:" + this.wireMock.port() + HOOK + "?token=" + QUERY_SECRET,
					"balances.notify.webhooks[0].secret=" + SECRET, "balances.notify.webhooks[1].name=refuses",
					"balances.notify.webhooks[1].url=http://127.0.0.1:" + this.wireMock.port() + "/refuses?token=" + QUERY_SECRET,
					"balances.notify.webhooks[1].format=slack", "balances.notify.webhooks[1].secret=" + SECRET);
			fails(this.kling, "team-b", ErrorCode.AUTHENTICATION_FAILED);
			fails(this.kling, "team-c", ErrorCode.UPSTREAM_UNAVAILABLE);
			fire(fixture);
			fixture.after(Duration.ofMinutes(16));
			awaitRequests(fixture, HOOK, 4);
			awaitRequests(fixture, "/refuses", 3);
			assertThat(fixture.events(HOOK)).extracting((event) -> event.get("type").asString())
				.containsExactlyInAnyOrder("LOW_BALANCE", "LOW_BALANCE", "ACCOUNT_ACTION_REQUIRED", "UPSTREAM_OUTAGE");
			for (String path : List.of(HOOK, "/refuses")) {
				for (LoggedRequest request : fixture.received(path)) {
					String everything = request.getBodyAsString() + request.getHeaders();
					assertThat(everything).doesNotContain(SECRET, QUERY_SECRET, "SECRETPATH", UPSTREAM_TOKEN);
				}
			}
			assertThat(fixture.properties.toString()).doesNotContain(SECRET, QUERY_SECRET, "SECRETPATH");
			assertThat(output.getAll()).contains("Sent notification", "Gave up notification", "attempt 1: HTTP 500")
				.doesNotContain(SECRET)
				.doesNotContain(QUERY_SECRET)
				.doesNotContain("SECRETPATH")
				.doesNotContain(UPSTREAM_TOKEN);
		}
		finally {
			root.setLevel(rootLevel);
			notify.setLevel(notifyLevel);
		}
	}

}
