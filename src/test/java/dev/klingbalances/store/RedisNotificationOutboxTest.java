package dev.klingbalances.store;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.balance.MutableClock;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.notify.ConditionKey;
import dev.klingbalances.notify.EventType;
import dev.klingbalances.notify.Notices;
import dev.klingbalances.notify.NotificationEvent.State;
import dev.klingbalances.notify.NotificationEvent;
import dev.klingbalances.notify.NotificationOutbox.Notice;
import dev.klingbalances.notify.NotificationStateStore.Mark;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.klingbalances.store.RedisLeadershipTest.leads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The notification outbox in Redis with two pods and the application's leader election: a
 * transition queues one notice whichever pods evaluate it, only the leader sends, and a notice
 * the leader could not deliver before it stopped (between two attempts, or during one) is
 * delivered by the other pod, with the same event id. Times are a hand-moved clock's.
 */
class RedisNotificationOutboxTest extends TwoPodsOnOneRedis {

	private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

	private static final String HOOK = "/hooks/ops";

	private static final ConditionKey LOW = new ConditionKey(EventType.LOW_BALANCE, "kling", "team-a");

	private final WireMockServer receiver = new WireMockServer(
			options().bindAddress("127.0.0.1").dynamicPort().jettyStopTimeout(100L));

	private final MutableClock clock = new MutableClock(T0);

	private LockRegistryLeaderInitiator leaderA;

	private LockRegistryLeaderInitiator leaderB;

	private Notices.Delivery deliveryA;

	private Notices.Delivery deliveryB;

	private RedisNotificationStateStore storeA;

	private RedisNotificationStateStore storeB;

	@BeforeEach
	void podsWithLeaderElectionAndDelivery() {
		this.receiver.start();
		this.storeA = store(this.podA);
		this.storeB = store(this.podB);
		this.leaderA = RedisLeadershipTest.initiator(this.podA);
		await().atMost(Duration.ofSeconds(10)).until(() -> leads(this.leaderA));
		this.leaderB = RedisLeadershipTest.initiator(this.podB);
		String url = "http://127.0.0.1:" + this.receiver.port() + HOOK;
		this.deliveryA = Notices.delivery(this.storeA, () -> leads(this.leaderA), this.clock, "ops", url,
				Duration.ofSeconds(2));
		this.deliveryB = Notices.delivery(this.storeB, () -> leads(this.leaderB), this.clock, "ops", url,
				Duration.ofSeconds(2));
	}

	@AfterEach
	void stopAll() {
		this.deliveryA.close();
		this.deliveryB.close();
		this.leaderA.destroy();
		this.leaderB.destroy();
		this.receiver.stop();
	}

	private static RedisNotificationStateStore store(RedisPod pod) {
		return new RedisNotificationStateStore(pod.redis, pod.keys, RedisPod.JSON, pod.monitor);
	}

	private List<LoggedRequest> received() {
		return this.receiver.findAll(postRequestedFor(urlPathEqualTo(HOOK)));
	}

	private void answers(int status, int delayMillis) {
		this.receiver.resetMappings();
		this.receiver.stubFor(post(urlPathEqualTo(HOOK)).willReturn(aResponse().withStatus(status).withFixedDelay(delayMillis)));
	}

	/** Both pods evaluate the transition; one notice is queued. */
	private NotificationEvent bothPodsSeeTheConditionStart() {
		NotificationEvent fromB = Notices.event(LOW, State.FIRING, T0);
		assertThat(this.storeB.markFiring("ops", LOW, fromB, 100)).isEqualTo(Mark.MARKED);
		assertThat(this.storeA.markFiring("ops", LOW, Notices.event(LOW, State.FIRING, T0), 100))
			.isEqualTo(Mark.UNCHANGED);
		assertThat(this.storeA.size("ops")).isEqualTo(1);
		// Only the leader sends.
		this.deliveryB.check();
		this.deliveryB.awaitIdle();
		assertThat(received()).isEmpty();
		return fromB;
	}

	/** Pod A stops as a replica does: its sender, its lead, its connection; B then leads. */
	private void stopPodA() throws Exception {
		this.deliveryA.close();
		this.leaderA.stop();
		this.podA.close();
		await().atMost(Duration.ofSeconds(10)).until(() -> leads(this.leaderB));
	}

	private void assertDeliveredOnceByB(NotificationEvent event, int requests) {
		this.deliveryB.check();
		this.deliveryB.awaitIdle();
		assertThat(received()).hasSize(requests);
		assertThat(received()).extracting((request) -> request.getHeader("X-Kling-Balances-Event-Id"))
			.as("one event id on every attempt, whichever pod made it")
			.containsOnly(event.id());
		assertThat(this.storeB.size("ops")).isZero();
		assertThat(this.storeB.firing("ops")).containsExactly(LOW);
		// Delivered: nothing more, however long.
		this.clock.advance(Duration.ofHours(1));
		this.deliveryB.check();
		this.deliveryB.awaitIdle();
		assertThat(received()).hasSize(requests);
	}

	@Test
	void theOtherPodDeliversWhatTheStoppedLeaderLeftBetweenRetries() throws Exception {
		answers(500, 0);
		NotificationEvent event = bothPodsSeeTheConditionStart();
		this.deliveryA.check();
		this.deliveryA.awaitIdle();
		this.clock.advance(Duration.ofSeconds(2));
		this.deliveryA.check();
		this.deliveryA.awaitIdle();
		assertThat(received()).as("two attempts by the leader, both 500").hasSize(2);
		Notice waiting = this.storeB.next("ops");
		assertThat(waiting.attempts()).isEqualTo(2);
		assertThat(waiting.notBefore()).isEqualTo(T0.plusSeconds(6));
		assertThat(waiting.lastFailure()).isEqualTo("HTTP 500");

		stopPodA();
		answers(200, 0);
		this.deliveryB.check();
		this.deliveryB.awaitIdle();
		assertThat(received()).as("B waits out the backoff A left").hasSize(2);
		this.clock.setTo(waiting.notBefore());
		assertDeliveredOnceByB(event, 3);
	}

	@Test
	void theOtherPodDeliversWhatTheStoppedLeaderWasSending() throws Exception {
		answers(200, 60_000);
		NotificationEvent event = bothPodsSeeTheConditionStart();
		this.deliveryA.check();
		await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 1);

		// A stops while its attempt waits for the answer: the notice stays for B, as it was.
		stopPodA();
		assertThat(this.storeB.next("ops").attempts()).isZero();
		answers(200, 0);
		assertDeliveredOnceByB(event, 2);
	}

	@Test
	void aNoticeWithEveryFigureComesBackAsItWentInAndAnUnreadableOneIsDropped() {
		NotificationEvent event = new NotificationEvent(1, "3f1e6c2d", EventType.STALE_DATA, State.FIRING,
				NotificationEvent.Scope.ACCOUNT, T0, "useapi", "jane@example.com", "credits", "credits", "stale: ünïcode ✓", "d41b",
				new NotificationEvent.Figures(new BigDecimal("950.0"), new BigDecimal("5000"), new BigDecimal("1000"),
						new BigDecimal("40.125"), T0.plusSeconds(86_400), T0.plusSeconds(432_000), Duration.ofDays(14), new BigDecimal("12.5"),
						T0.plusSeconds(3600), T0.plusSeconds(7200), T0.minusMillis(1500), ErrorCode.THROTTLED,
						"Slow down.", 429, T0.minusSeconds(60)));
		this.podA.redis.opsForList().rightPush(this.podA.keys.outbox("ops"), "{not a notice");
		this.storeA.markFiring("ops", LOW, event, 100);

		assertThat(this.storeB.next("ops")).as("the unreadable one dropped").isEqualTo(Notice.of(event));
		assertThat(this.storeB.size("ops")).isEqualTo(1);
	}

	@Test
	void aNoticeIsChangedOnlyByWhoeverReadItLast() {
		NotificationEvent event = Notices.event(LOW, State.FIRING, T0);
		this.storeA.markFiring("ops", LOW, event, 100);
		Notice first = this.storeA.next("ops");
		assertThat(first).isEqualTo(Notice.of(event));
		Notice later = new Notice(event, 1, T0.plusSeconds(2), "HTTP 503");
		assertThat(this.storeA.postpone("ops", first, later)).isTrue();
		assertThat(this.storeB.postpone("ops", first, later)).as("a stale copy").isFalse();
		assertThat(this.storeB.remove("ops", first)).as("a stale copy").isFalse();
		assertThat(this.storeB.next("ops")).isEqualTo(later);
		assertThat(this.storeB.remove("ops", later)).isTrue();
		assertThat(this.storeA.next("ops")).isNull();
		assertThat(this.storeA.markFiring("ops", new ConditionKey(EventType.RUNS_OUT, "kling", null),
				Notices.event(LOW, State.FIRING, T0), 1)).isEqualTo(Mark.MARKED);
		assertThat(this.storeA.markResolved("ops", LOW, Notices.event(LOW, State.RESOLVED, T0), 1))
			.as("the outbox holds its capacity: nothing recorded").isEqualTo(Mark.OUTBOX_FULL);
		assertThat(this.storeB.firing("ops")).contains(LOW);
	}

}
