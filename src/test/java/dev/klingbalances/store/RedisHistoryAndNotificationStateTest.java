package dev.klingbalances.store;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.forecast.HistorySample;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.notify.ConditionKey;
import dev.klingbalances.notify.EventType;
import dev.klingbalances.notify.Notices;
import dev.klingbalances.notify.NotificationEvent.State;
import dev.klingbalances.notify.NotificationStateStore.Mark;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link RedisHistoryStore} and {@link RedisNotificationStateStore} against a real Redis: bounded
 * by age and count, shared between pods, and still there for a new instance (a restart, a
 * rollout); a condition fires and resolves once however many pods evaluate it.
 */
class RedisHistoryAndNotificationStateTest extends TwoPodsOnOneRedis {

	private static final Instant AT = Instant.parse("2026-11-21T12:00:00Z");

	private static RedisHistoryStore history(RedisPod pod) {
		return new RedisHistoryStore(pod.redis, pod.keys, RedisPod.JSON, pod.monitor, pod.sharedStore());
	}

	/** A sample as appended: 10 consumed since the previous one. */
	private static HistorySample sample(int minutes, String remaining) {
		return new HistorySample(AT.plus(Duration.ofMinutes(minutes)), false, null,
				List.of(new HistorySample.ProductFigures("video", new BigDecimal(remaining), new BigDecimal("200.0"))),
				Map.of("video", BigDecimal.TEN));
	}

	/** The same sample as stored: with the running consumption the append script computed. */
	private static HistorySample stored(int minutes, String remaining, int consumed) {
		return sample(minutes, remaining).withConsumed(Map.of("video", BigDecimal.valueOf(consumed)));
	}

	@Test
	void historyIsTrimmedByAgeAndCountAndSurvivesANewInstance() throws Exception {
		RedisHistoryStore store = history(this.podA);
		Instant oldest = AT.plus(Duration.ofMinutes(15));
		for (int minute = 0; minute <= 60; minute += 10) {
			store.append("kling", "team-a", sample(minute, Integer.toString(200 - minute)), oldest, 3);
		}
		HistorySample failure = new HistorySample(AT.plus(Duration.ofMinutes(70)), true, ErrorCode.THROTTLED,
				List.of(new HistorySample.ProductFigures("video", new BigDecimal("140"), new BigDecimal("200.0"))),
				Map.of());
		store.append("kling", "team-a", failure, oldest, 3);
		// The samples of minutes 0 and 10 were older than the window when appended, and went at once:
		// the running sum continues from what Redis holds, 10 from minute 20 on.
		HistorySample failureStored = failure.withConsumed(Map.of("video", BigDecimal.valueOf(50)));
		store.append("kling", "team-b", sample(0, "5.50"), AT, 3);

		try (RedisPod restarted = new RedisPod(redisServer, this.prefix)) {
			RedisHistoryStore again = history(restarted);
			assertThat(again.read("kling", "team-a", AT)).containsExactly(stored(50, "150", 40), stored(60, "140", 50),
					failureStored);
			assertThat(again.read("kling", "team-a", AT.plus(Duration.ofMinutes(55)))).containsExactly(stored(60, "140", 50),
					failureStored);
			assertThat(again.last("kling", "team-a")).isEqualTo(failureStored);
			assertThat(again.last("kling", "team-b").product("video").remaining()).isEqualByComparingTo("5.50");
			assertThat(again.last("useapi", "team-a")).isNull();

			// A replica forgets its idle copies only: the series in Redis expire by themselves.
			again.forgetIdle(AT.plus(Duration.ofMinutes(80)));
		}
		RedisHistoryStore third = history(this.podB);
		assertThat(third.read("kling", "team-a", AT)).hasSize(3);
		assertThat(third.read("kling", "team-b", AT)).hasSize(1);
	}

	@Test
	void aPodsCopyOfTheHistoryTakesUpWhatAnotherPodRecorded() {
		RedisHistoryStore storeA = history(this.podA);
		RedisHistoryStore storeB = history(this.podB);
		RedisSharedStore announcer = this.podA.sharedStore();
		storeA.append("kling", "team-a", sample(0, "200"), AT, 100);
		assertThat(storeB.read("kling", "team-a", AT)).containsExactly(sample(0, "200"));

		// Pod A fetched again: it records a sample and writes the entry, which announces it.
		storeA.append("kling", "team-a", sample(10, "190"), AT, 100);
		announcer.<String>entries("balances.kling", String.class)
			.write("team-a", new CachedValue<>("190", AT, null, AT, null));

		await().atMost(Duration.ofSeconds(5))
			.until(() -> storeB.read("kling", "team-a", AT).size() == 2);
		assertThat(storeB.last("kling", "team-a")).isEqualTo(stored(10, "190", 20));
	}

	private static boolean fires(RedisNotificationStateStore store, String webhook, ConditionKey condition, Instant at) {
		return store.markFiring(webhook, condition, Notices.event(condition, State.FIRING, at), 100) == Mark.MARKED;
	}

	private static boolean resolves(RedisNotificationStateStore store, String webhook, ConditionKey condition,
			Instant at) {
		return store.markResolved(webhook, condition, Notices.event(condition, State.RESOLVED, at), 100) == Mark.MARKED;
	}

	@Test
	void aConditionFiresAndResolvesOnceAcrossPodsAndRestarts() throws Exception {
		RedisNotificationStateStore storeA = new RedisNotificationStateStore(this.podA.redis, this.podA.keys,
				RedisPod.JSON, this.podA.monitor);
		RedisNotificationStateStore storeB = new RedisNotificationStateStore(this.podB.redis, this.podB.keys,
				RedisPod.JSON, this.podB.monitor);
		ConditionKey low = new ConditionKey(EventType.LOW_BALANCE, "useapi", "creator/studio@example.com");
		ConditionKey runsOut = new ConditionKey(EventType.RUNS_OUT, "kling", null);

		assertThat(fires(storeA, "ops", low, AT)).isTrue();
		assertThat(fires(storeB, "ops", low, AT.plusSeconds(5))).as("already firing").isFalse();
		assertThat(fires(storeB, "other-hook", low, AT)).as("per webhook").isTrue();
		assertThat(fires(storeB, "ops", runsOut, AT)).isTrue();
		assertThat(storeA.holdingSince(runsOut, AT)).isEqualTo(AT);
		assertThat(storeB.holdingSince(runsOut, AT.plusSeconds(60))).isEqualTo(AT);

		try (RedisPod restarted = new RedisPod(redisServer, this.prefix)) {
			RedisNotificationStateStore again = new RedisNotificationStateStore(restarted.redis, restarted.keys,
					RedisPod.JSON, restarted.monitor);
			assertThat(again.firing("ops")).containsExactlyInAnyOrder(low, runsOut);
			assertThat(again.holdingSince(runsOut, AT.plusSeconds(120))).isEqualTo(AT);
			assertThat(resolves(again, "ops", low, AT.plusSeconds(120))).isTrue();
		}
		assertThat(resolves(storeA, "ops", low, AT.plusSeconds(120))).as("already resolved").isFalse();
		assertThat(storeB.size("ops")).as("FIRING low, FIRING runs-out, RESOLVED low: one notice each").isEqualTo(3);
		assertThat(storeB.firing("ops")).containsExactly(runsOut);
		storeA.cleared(runsOut);
		assertThat(storeB.holdingSince(runsOut, AT.plusSeconds(300))).isEqualTo(AT.plusSeconds(300));
	}

}
