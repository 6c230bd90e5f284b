package dev.klingbalances.notify;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.balance.FakeProvider;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.notify.NotificationEvent.State;
import dev.klingbalances.provider.BalanceSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.klingbalances.balance.FakeProvider.snapshot;
import static dev.klingbalances.notify.NotifyFixture.FAR;
import static dev.klingbalances.notify.NotifyFixture.SECRET;
import static dev.klingbalances.notify.NotifyFixture.T0;
import static dev.klingbalances.notify.NotifyFixture.answers;
import static dev.klingbalances.notify.NotifyFixture.fails;
import static dev.klingbalances.notify.NotifyFixture.grant;
import static dev.klingbalances.notify.NotifyFixture.remaining;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every condition driven through the real balance service, from its start to its end, counted
 * at the receiver: each transition arrives exactly once, nothing arrives in between.
 */
class NotificationFlowTest {

	private static final String HOOK = "/hooks/ops";

	private final WireMockServer wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

	private final FakeProvider kling = new FakeProvider("kling", "units", Duration.ofMinutes(15), "team-a");

	private final FakeProvider useapi = new FakeProvider("useapi", "credits", Duration.ofMinutes(2), "jane@example.com");

	private NotifyFixture fixture;

	@BeforeEach
	void start() {
		this.wireMock.start();
		this.wireMock.stubFor(post(urlPathEqualTo(HOOK)).willReturn(aResponse().withStatus(204)));
		answers(this.useapi, "jane@example.com", remaining("3000"));
	}

	@AfterEach
	void stop() {
		if (this.fixture != null) {
			this.fixture.close();
		}
		this.wireMock.stop();
	}

	private NotifyFixture fixture(String... balancesSettings) {
		this.fixture = new NotifyFixture(this.wireMock, List.of(this.kling, this.useapi), List.of(balancesSettings),
				"balances.notify.webhooks[0].name=ops", "balances.notify.webhooks[0].url=" + url(),
				"balances.notify.webhooks[0].secret=" + SECRET);
		return this.fixture;
	}

	private String url() {
		return "http://127.0.0.1:" + this.wireMock.port() + HOOK + "?token=" + NotifyFixture.QUERY_SECRET;
	}

	/** Evaluates again, waits for anything queued, and checks that nothing more arrived. */
	private void assertNothingMore(NotifyFixture fixture, int expectedTotal) {
		fixture.evaluate();
		fixture.awaitDelivered();
		assertThat(fixture.received(HOOK)).as("requests at the receiver").hasSize(expectedTotal);
	}

	private void awaitReceived(NotifyFixture fixture, int count) {
		await().atMost(Duration.ofSeconds(20)).until(() -> fixture.received(HOOK).size() >= count);
		fixture.awaitDelivered();
		assertThat(fixture.received(HOOK)).hasSize(count);
	}

	@Test
	void lowBalanceFiresOnceResolvesOnceAboveTheHysteresisBandAndFiresAgainOnTheNextCrossing() {
		NotifyFixture fixture = fixture("balances.alerts.low-balance.units=1000");
		answers(this.kling, "team-a", remaining("1200"));
		fixture.refresh();
		assertNothingMore(fixture, 0);

		// Below the threshold: one FIRING, however often it is evaluated.
		answers(this.kling, "team-a", remaining("950"));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 1);
		assertNothingMore(fixture, 1);
		assertNothingMore(fixture, 1);
		JsonNode firing = fixture.events(HOOK).get(0);
		assertThat(firing.get("type").asString()).isEqualTo("LOW_BALANCE");
		assertThat(firing.get("state").asString()).isEqualTo("FIRING");
		assertThat(firing.get("figures").get("remaining").decimalValue()).isEqualByComparingTo("950");
		assertThat(firing.get("figures").get("threshold").decimalValue()).isEqualByComparingTo("1000");

		// Up to threshold + 2 % and down again: inside the band, nothing.
		answers(this.kling, "team-a", remaining("1020"));
		fixture.refresh();
		assertNothingMore(fixture, 1);
		answers(this.kling, "team-a", remaining("960"));
		fixture.refresh();
		assertNothingMore(fixture, 1);
		answers(this.kling, "team-a", remaining("1050"));
		fixture.refresh();
		assertNothingMore(fixture, 1);

		// Above threshold + 5 %: one RESOLVED.
		answers(this.kling, "team-a", remaining("1051"));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 2);
		assertNothingMore(fixture, 2);
		JsonNode resolved = fixture.events(HOOK).get(1);
		assertThat(resolved.get("state").asString()).isEqualTo("RESOLVED");
		assertThat(resolved.get("fingerprint").asString()).isEqualTo(firing.get("fingerprint").asString());
		assertThat(resolved.get("id").asString()).isNotEqualTo(firing.get("id").asString());
		assertThat(resolved.get("summary").asString()).isEqualTo("kling/team-a (video) is no longer low: 1051 units left (threshold 1000).");

		// A dip to threshold + 2 % after resolving is not low: nothing. Below again: a new FIRING.
		answers(this.kling, "team-a", remaining("1020"));
		fixture.refresh();
		assertNothingMore(fixture, 2);
		answers(this.kling, "team-a", remaining("999"));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 3);
		assertThat(fixture.events(HOOK).get(2).get("state").asString()).isEqualTo("FIRING");
		assertThat(fixture.count("ops", EventType.LOW_BALANCE, "sent")).isEqualTo(3);
	}

	@Test
	void eachProductOfAVideoAndImageAccountIsAConditionOfItsOwnAndThePayloadNamesIt() {
		NotifyFixture fixture = fixture("balances.alerts.low-balance.units=100");
		// 300 video units and 40 image units: only image is low (their sum, 340, would hide it).
		answers(this.kling, "team-a", snapshot(grant("v", "video", "1000", "300", FAR), grant("i", "image", "500", "40", FAR)));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 1);
		assertNothingMore(fixture, 1);
		JsonNode low = fixture.events(HOOK).get(0);
		assertThat(low.get("type").asString()).isEqualTo("LOW_BALANCE");
		assertThat(low.get("product").asString()).isEqualTo("image");
		assertThat(low.get("figures").get("remaining").decimalValue()).isEqualByComparingTo("40");
		assertThat(low.get("summary").asString()).isEqualTo("kling/team-a (image) is low: 40 units left, below the threshold of 100.");

		// Video goes low too: a second condition, with its own fingerprint; image stays firing.
		answers(this.kling, "team-a", snapshot(grant("v", "video", "1000", "90", FAR), grant("i", "image", "500", "40", FAR)));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 2);
		JsonNode video = fixture.events(HOOK).get(1);
		assertThat(video.get("product").asString()).isEqualTo("video");
		assertThat(video.get("fingerprint").asString()).isNotEqualTo(low.get("fingerprint").asString());

		// The image packs are gone from the account: its condition no longer applies, resolved once.
		answers(this.kling, "team-a", snapshot(grant("v", "video", "1000", "90", FAR)));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 3);
		assertNothingMore(fixture, 3);
		JsonNode gone = fixture.events(HOOK).get(2);
		assertThat(gone.get("state").asString()).isEqualTo("RESOLVED");
		assertThat(gone.get("product").asString()).isEqualTo("image");
		assertThat(gone.get("fingerprint").asString()).isEqualTo(low.get("fingerprint").asString());
	}

	@Test
	void aConditionRecordedBeforeProductsIsResolvedOnceItsAccountIsRead() {
		NotifyFixture fixture = fixture("balances.alerts.low-balance.units=1000");
		ConditionKey old = new ConditionKey(EventType.LOW_BALANCE, "kling", "team-a");
		ConditionKey video = new ConditionKey(EventType.RUNS_OUT, "kling", "team-a", "video");
		for (ConditionKey condition : List.of(old, video)) {
			fixture.store.markFiring("ops", condition, Notices.event(condition, State.FIRING, T0.minus(Duration.ofDays(1))), 10);
			fixture.store.remove("ops", fixture.store.next("ops"));
		}
		// Listed, but its first fetch failed: no figures (no products known), nothing resolved.
		fails(this.kling, "team-a", ErrorCode.UPSTREAM_UNAVAILABLE);
		fixture.refresh();
		assertNothingMore(fixture, 0);
		assertThat(fixture.store.firing("ops")).containsExactlyInAnyOrder(old, video);

		answers(this.kling, "team-a", remaining("3000"));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 1);
		assertNothingMore(fixture, 1);
		assertThat(fixture.events(HOOK).get(0).get("summary").asString())
			.isEqualTo("kling/team-a: this condition no longer applies.");
		assertThat(fixture.store.firing("ops")).as("video still runs out as far as anyone can tell").containsExactly(video);
	}

	@Test
	void anAccountsOwnThresholdOverridesItsUnits() {
		NotifyFixture fixture = fixture("balances.alerts.low-balance.units=1000",
				"balances.alerts.accounts[0].provider=kling", "balances.alerts.accounts[0].account=team-a",
				"balances.alerts.accounts[0].low-balance=100");
		answers(this.kling, "team-a", remaining("500"));
		fixture.refresh();
		assertNothingMore(fixture, 0);
		answers(this.kling, "team-a", remaining("99.5"));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 1);
		assertThat(fixture.events(HOOK).get(0).get("summary").asString())
			.isEqualTo("kling/team-a (video) is low: 99.5 units left, below the threshold of 100.");
	}

	@Test
	void accountErrorsFireAfterErrorAfterByClassAndResolveWhenReadAgain() {
		NotifyFixture fixture = fixture();
		answers(this.kling, "team-a", remaining("3000"));
		fixture.refresh();
		assertNothingMore(fixture, 0);

		// Credentials refused: someone must act, once it has lasted 15 minutes.
		fails(this.kling, "team-a", ErrorCode.AUTHENTICATION_FAILED);
		fixture.after(Duration.ofMinutes(1));
		assertNothingMore(fixture, 0);
		fixture.after(Duration.ofMinutes(10));
		assertNothingMore(fixture, 0);
		fixture.after(Duration.ofMinutes(5));
		awaitReceived(fixture, 1);
		fixture.after(Duration.ofMinutes(5));
		assertNothingMore(fixture, 1);
		JsonNode action = fixture.events(HOOK).get(0);
		assertThat(action.get("type").asString()).isEqualTo("ACCOUNT_ACTION_REQUIRED");
		assertThat(action.get("scope").asString()).isEqualTo("ACCOUNT");
		assertThat(action.get("figures").get("errorCode").asString()).isEqualTo("AUTHENTICATION_FAILED");
		assertThat(action.get("figures").get("since").asString()).isEqualTo(T0.plus(Duration.ofMinutes(1)).toString());

		// Now an outage: the first condition is over, the second starts its own 15 minutes.
		fails(this.kling, "team-a", ErrorCode.UPSTREAM_UNAVAILABLE);
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 2);
		assertThat(fixture.events(HOOK, EventType.ACCOUNT_ACTION_REQUIRED, State.RESOLVED)).hasSize(1);
		fixture.after(Duration.ofMinutes(14));
		assertNothingMore(fixture, 2);
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 3);
		assertThat(fixture.events(HOOK, EventType.UPSTREAM_OUTAGE, State.FIRING)).hasSize(1);

		// Readable again (38 minutes in: the figures never got older than stale-after): resolved once.
		answers(this.kling, "team-a", remaining("3000"));
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 4);
		assertNothingMore(fixture, 4);
		assertThat(fixture.events(HOOK, EventType.UPSTREAM_OUTAGE, State.RESOLVED)).hasSize(1);
		assertThat(fixture.events(HOOK, EventType.ACCOUNT_ACTION_REQUIRED, State.FIRING)).hasSize(1);
		assertThat(fixture.events(HOOK, EventType.UPSTREAM_OUTAGE, State.RESOLVED).get(0).get("summary").asString())
			.isEqualTo("kling/team-a can be read again.");
	}

	@Test
	void staleFiguresFireOnceOlderThanStaleAfterAndResolveWithAFreshFetch() {
		NotifyFixture fixture = fixture("balances.alerts.error-after=2h");
		answers(this.kling, "team-a", remaining("3000"));
		fixture.refresh();
		fails(this.kling, "team-a", ErrorCode.UPSTREAM_TIMEOUT);
		fixture.after(Duration.ofMinutes(30));
		assertNothingMore(fixture, 0);
		fixture.after(Duration.ofMinutes(30));
		assertNothingMore(fixture, 0);
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 1);
		fixture.after(Duration.ofMinutes(20));
		assertNothingMore(fixture, 1);
		JsonNode stale = fixture.events(HOOK).get(0);
		assertThat(stale.get("type").asString()).isEqualTo("STALE_DATA");
		assertThat(stale.get("figures").get("fetchedAt").asString()).isEqualTo(T0.toString());
		assertThat(stale.get("figures").get("errorCode").asString()).isEqualTo("UPSTREAM_TIMEOUT");
		assertThat(stale.get("summary").asString()).startsWith(
				"kling/team-a: the figures are stale, fetched 2026-11-21 12:00 UTC (1h 1m ago); latest error UPSTREAM_TIMEOUT");

		answers(this.kling, "team-a", remaining("3000"));
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 2);
		assertThat(fixture.events(HOOK, EventType.STALE_DATA, State.RESOLVED)).hasSize(1);
	}

	/** One pack of 1000 used at 100 units a day for 12 h: then it runs out within the 14-day window. */
	private void burnsAHundredUnitsADay(NotifyFixture fixture) {
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "1000", FAR)));
		fixture.refresh();
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "975", FAR)));
		fixture.after(Duration.ofHours(6));
		assertNothingMore(fixture, 0);
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "950", FAR)));
		fixture.after(Duration.ofHours(6));
	}

	@Test
	void runOutForecastFiresForTheAccountAndItsPoolAndResolvesAfterATopUp() {
		NotifyFixture fixture = fixture();
		// 100 units a day from one pack of 1000: after 12 h of history it runs out in 9.5 days.
		burnsAHundredUnitsADay(fixture);
		awaitReceived(fixture, 2);
		assertNothingMore(fixture, 2);
		JsonNode account = fixture.events(HOOK).stream().filter((event) -> event.get("scope").asString().equals("ACCOUNT")).findFirst().orElseThrow();
		JsonNode pool = fixture.events(HOOK).stream().filter((event) -> event.get("scope").asString().equals("POOL")).findFirst().orElseThrow();
		Instant runsOut = T0.plus(Duration.ofHours(12)).plus(Duration.ofHours(228));
		for (JsonNode event : List.of(account, pool)) {
			assertThat(event.get("type").asString()).isEqualTo("RUNS_OUT");
			assertThat(event.get("state").asString()).isEqualTo("FIRING");
			assertThat(event.get("figures").get("burnPerDay").decimalValue()).isEqualByComparingTo("100");
			assertThat(event.get("figures").get("runsOutAt").asString()).isEqualTo(runsOut.toString());
		}
		assertThat(account.get("account").asString()).isEqualTo("team-a");
		assertThat(pool.get("account").isNull()).isTrue();
		assertThat(pool.get("summary").asString()).startsWith("kling video (all accounts together) runs out around 2026-12-01 12:00 UTC");

		// A new pack of 5000 (not consumption): 59.5 days left, beyond 14 × 1.05 days.
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "950", FAR), grant("b", "5000", "5000", FAR)));
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 4);
		assertThat(fixture.events(HOOK, EventType.RUNS_OUT, State.RESOLVED)).extracting((event) -> event.get("scope").asString())
			.containsExactlyInAnyOrder("ACCOUNT", "POOL");
	}

	@Test
	void theRunOutIsTheFirstOneAndThePayloadSaysWhenAPendingPackRefills() {
		NotifyFixture fixture = fixture("balances.forecast.min-span=1m");
		// Issue 17, section 3: 100 video units left, 1 used every 2 s, a 500-unit pack from day 5.
		Instant refill = T0.plus(Duration.ofDays(5));
		Grant pending = new Grant("later", "pack later", "video", "decreasing_total", GrantStatus.PENDING, "online",
				new BigDecimal("500"), new BigDecimal("500"), refill, FAR);
		answers(this.kling, "team-a", snapshot(grant("now", "1000", "160", FAR), pending));
		fixture.refresh();
		answers(this.kling, "team-a", snapshot(grant("now", "1000", "130", FAR), pending));
		fixture.after(Duration.ofMinutes(1));
		answers(this.kling, "team-a", snapshot(grant("now", "1000", "100", FAR), pending));
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 2);
		JsonNode account = fixture.events(HOOK, EventType.RUNS_OUT, State.FIRING)
			.stream()
			.filter((event) -> event.get("scope").asString().equals("ACCOUNT"))
			.findFirst()
			.orElseThrow();
		assertThat(account.get("product").asString()).isEqualTo("video");
		assertThat(Instant.parse(account.get("figures").get("runsOutAt").asString()))
			.as("200 s after the figures, not when the later pack is used up")
			.isBetween(fixture.clock.instant().plusSeconds(190), fixture.clock.instant().plusSeconds(200));
		assertThat(Instant.parse(account.get("figures").get("refillsAt").asString())).isEqualTo(refill);
	}

	@Test
	void anUnknownRemainingNeitherResolvesAFiringRunOutNorStartsOne() {
		NotifyFixture fixture = fixture();
		burnsAHundredUnitsADay(fixture);
		awaitReceived(fixture, 2);
		assertThat(fixture.events(HOOK, EventType.RUNS_OUT, State.FIRING)).hasSize(2);

		// A second pack whose remaining the upstream leaves out: the run-out cannot be told, so the
		// account's and the pool's conditions stay firing, however often it is evaluated.
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "950", FAR), grant("b", "5000", null, FAR)));
		fixture.after(Duration.ofMinutes(1));
		assertNothingMore(fixture, 2);
		fixture.after(Duration.ofMinutes(1));
		assertNothingMore(fixture, 2);

		// Known again (and far from running out): now it resolves, once per scope.
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "950", FAR), grant("b", "5000", "5000", FAR)));
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 4);
		assertThat(fixture.events(HOOK, EventType.RUNS_OUT, State.RESOLVED)).hasSize(2);
	}

	@Test
	void anUnknownRemainingNeverStartsARunOut() {
		NotifyFixture fixture = fixture();
		// Used up but for an unknown pack: neither "has run out" nor a date.
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "1000", FAR)));
		fixture.refresh();
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "500", FAR)));
		fixture.after(Duration.ofHours(6));
		answers(this.kling, "team-a", snapshot(grant("a", "1000", "0", FAR), grant("b", "5000", null, FAR)));
		fixture.after(Duration.ofHours(6));
		assertNothingMore(fixture, 0);
		fixture.after(Duration.ofMinutes(1));
		assertNothingMore(fixture, 0);
	}

	@Test
	void expiringUnusedFiresWhileAPackWillLapseAndResolvesOnceItHas() {
		NotifyFixture fixture = fixture();
		Instant lapses = T0.plus(Duration.ofDays(5));
		// Pack c (expires day 5) is used at 100 a day: 450 of its 950 lapse. Pack a lasts 50 days more.
		answers(this.kling, "team-a", snapshot(grant("c", "1000", "1000", lapses), grant("a", "5000", "5000", FAR)));
		fixture.refresh();
		answers(this.kling, "team-a", snapshot(grant("c", "1000", "975", lapses), grant("a", "5000", "5000", FAR)));
		fixture.after(Duration.ofHours(6));
		answers(this.kling, "team-a", snapshot(grant("c", "1000", "950", lapses), grant("a", "5000", "5000", FAR)));
		fixture.after(Duration.ofHours(6));
		awaitReceived(fixture, 1);
		assertNothingMore(fixture, 1);
		JsonNode event = fixture.events(HOOK).get(0);
		assertThat(event.get("type").asString()).isEqualTo("EXPIRING_UNUSED");
		assertThat(event.get("figures").get("expiringUnused").decimalValue()).isEqualByComparingTo("500");
		assertThat(event.get("figures").get("expiringBy").asString()).isEqualTo(lapses.toString());

		// Pack c has expired: nothing more lapses.
		fixture.after(Duration.ofDays(4).plusHours(13));
		awaitReceived(fixture, 2);
		assertThat(fixture.events(HOOK, EventType.EXPIRING_UNUSED, State.RESOLVED)).hasSize(1);
	}

	@Test
	void sessionExpiryFiresWithinTheWarningAndResolvesWhenRenewed() {
		NotifyFixture fixture = fixture();
		answers(this.kling, "team-a", remaining("3000"));
		Instant expires = T0.plus(Duration.ofDays(10));
		this.useapi.answer("jane@example.com", () -> Mono.just(new BalanceSnapshot(
				List.of(grant("plan", "5000", "3000", FAR)), Map.of(BalanceSnapshot.SESSION_EXPIRES_AT, expires))));
		fixture.refresh();
		assertNothingMore(fixture, 0);
		fixture.after(Duration.ofDays(2));
		assertNothingMore(fixture, 0);
		fixture.after(Duration.ofDays(1).plusMinutes(1));
		awaitReceived(fixture, 1);
		assertNothingMore(fixture, 1);
		JsonNode event = fixture.events(HOOK).get(0);
		assertThat(event.get("type").asString()).isEqualTo("SESSION_EXPIRING");
		assertThat(event.get("provider").asString()).isEqualTo("useapi");
		assertThat(event.get("account").asString()).isEqualTo("jane@example.com");
		assertThat(event.get("unit").asString()).isEqualTo("credits");
		assertThat(event.get("figures").get("expiresAt").asString()).isEqualTo(expires.toString());

		Instant renewed = T0.plus(Duration.ofDays(40));
		this.useapi.answer("jane@example.com", () -> Mono.just(new BalanceSnapshot(
				List.of(grant("plan", "5000", "3000", FAR)), Map.of(BalanceSnapshot.SESSION_EXPIRES_AT, renewed))));
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 2);
		assertThat(fixture.events(HOOK, EventType.SESSION_EXPIRING, State.RESOLVED)).hasSize(1);
	}

	@Test
	void conditionsOfAnAccountNoLongerListedResolve() {
		NotifyFixture fixture = fixture("balances.alerts.low-balance.units=1000");
		answers(this.kling, "team-a", remaining("10"));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 1);
		this.kling.accounts(() -> Mono.just(List.of()));
		fixture.after(Duration.ofMinutes(1));
		awaitReceived(fixture, 2);
		JsonNode resolved = fixture.events(HOOK).get(1);
		assertThat(resolved.get("state").asString()).isEqualTo("RESOLVED");
		assertThat(resolved.get("summary").asString()).isEqualTo("kling/team-a is no longer listed by its provider.");
		assertNothingMore(fixture, 2);
	}

	@Test
	void conditionsFiringInASharedStoreAreNotResolvedBeforeTheAccountListsAreRead() {
		NotifyFixture fixture = fixture("balances.alerts.low-balance.units=1000");
		// As another replica (or this one before a restart) left them in a shared store:
		ConditionKey low = new ConditionKey(EventType.LOW_BALANCE, "kling", "team-a");
		ConditionKey listOutage = new ConditionKey(EventType.UPSTREAM_OUTAGE, "kling", null);
		for (ConditionKey condition : List.of(low, listOutage)) {
			NotificationEvent firing = Notices.event(condition, State.FIRING, T0.minus(Duration.ofHours(1)));
			fixture.store.markFiring("ops", condition, firing, 10);
			fixture.store.remove("ops", fixture.store.next("ops"));
		}
		answers(this.kling, "team-a", remaining("3000"));
		// Nothing read yet: no account, no list error. Not a reason to resolve anything.
		assertNothingMore(fixture, 0);
		assertThat(fixture.store.firing("ops")).containsExactlyInAnyOrder(low, listOutage);
		// Read: the list is fine and team-a is far above its threshold.
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 2);
		assertThat(fixture.events(HOOK)).extracting((event) -> event.get("type").asString() + " " + event.get("state").asString())
			.containsExactlyInAnyOrder("LOW_BALANCE RESOLVED", "UPSTREAM_OUTAGE RESOLVED");
		assertThat(fixture.events(HOOK, EventType.UPSTREAM_OUTAGE, State.RESOLVED).get(0).get("scope").asString())
			.isEqualTo("PROVIDER");
		assertThat(fixture.store.firing("ops")).isEmpty();
	}

	@Test
	void theJsonEventIsSignedOverTheExactBodyAndTheTimestamp() throws Exception {
		NotifyFixture fixture = fixture("balances.alerts.low-balance.units=1000");
		answers(this.kling, "team-a", remaining("950"));
		fixture.refresh();
		fixture.evaluate();
		awaitReceived(fixture, 1);
		LoggedRequest request = fixture.received(HOOK).get(0);
		String timestamp = request.getHeader("X-Kling-Balances-Timestamp");
		String signature = request.getHeader("X-Kling-Balances-Signature");
		assertThat(timestamp).isEqualTo(Long.toString(T0.getEpochSecond()));
		// What a receiver does: HMAC-SHA256 over "<timestamp>.<raw body>" with the shared secret.
		javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
		mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
		String expected = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(request.getBody()));
		assertThat(signature).isEqualTo(expected);
		assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
		assertThat(request.getHeader("X-Kling-Balances-Event")).isEqualTo("LOW_BALANCE");

		JsonNode event = fixture.json.readTree(request.getBodyAsString());
		assertThat(request.getHeader("X-Kling-Balances-Event-Id")).isEqualTo(event.get("id").asString());
		assertThat(event.get("version").asInt()).isEqualTo(1);
		assertThat(event.get("occurredAt").asString()).isEqualTo(T0.toString());
		assertThat(event.get("provider").asString()).isEqualTo("kling");
		assertThat(event.get("account").asString()).isEqualTo("team-a");
		assertThat(event.get("unit").asString()).isEqualTo("units");
		assertThat(event.get("summary").asString()).isEqualTo("kling/team-a (video) is low: 950 units left, below the threshold of 1000.");
		assertThat(event.get("fingerprint").asString()).hasSize(16);
		assertThat(event.get("figures").propertyNames()).containsExactlyInAnyOrder("remaining", "total", "threshold");

		// A body changed by one byte no longer verifies.
		byte[] tampered = request.getBody().clone();
		tampered[tampered.length - 2] ^= 1;
		mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
		assertThat("sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(tampered))).isNotEqualTo(signature);
	}

}
