package dev.klingbalances.store;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.cache.SharedEntries;
import dev.klingbalances.cache.StoreUnavailableException;
import dev.klingbalances.forecast.HistorySample;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.notify.ConditionKey;
import dev.klingbalances.notify.EventType;
import dev.klingbalances.notify.Notices;
import dev.klingbalances.notify.NotificationEvent.State;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.RequestLanes.Lane;
import dev.klingbalances.upstream.RequestLanes.Turn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * Redis taken away and brought back, under one pod's store components: without Redis no request
 * is sent ({@code STORE_UNAVAILABLE}), shared reads and leases fail as the store's unavailability,
 * the history answers from the pod's copy, the store reports itself down; once Redis answers
 * again the pod re-reads the shared snapshots and calls go through again. On one Redis server and
 * on a cluster of three masters (all of them away), each the test's own.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(SharedTestRedis.class)
class RedisOutageTest {

	private static final Instant AT = Instant.parse("2026-11-21T12:00:00Z");

	@Parameter
	SharedTestRedis shape;

	private TestRedis redisServer;

	@AfterEach
	void stopRedis() {
		if (this.redisServer != null) {
			this.redisServer.close();
		}
	}

	@Test
	void withoutRedisNothingIsCalledAndRecoveryResynchronises() throws Exception {
		TestRedis redisServer = this.shape.startNew();
		this.redisServer = redisServer;
		try (RedisPod pod = new RedisPod(redisServer, "outage:")) {
			BalanceService balanceService = mock(BalanceService.class);
			pod.beans.addBean("balanceService", balanceService);
			RedisSharedStore shared = pod.sharedStore();
			SharedEntries<String> entries = shared.entries("balances.kling", String.class);
			RedisHistoryStore history = new RedisHistoryStore(pod.redis, pod.keys, RedisPod.JSON, pod.monitor, shared);
			RedisNotificationStateStore notifications = new RedisNotificationStateStore(pod.redis, pod.keys,
					RedisPod.JSON, pod.monitor);
			Lane lane = new RedisRequestLanes(pod.redis, pod.keys, Duration.ofSeconds(2), RedisPod.LANE_LOCK_MARGIN, RedisPod.LANE_POLL_INTERVAL, pod.monitor)
				.lane("kling:abc", Duration.ofMillis(100), Turn.UNTIL_ANSWERED);
			StoreHealthIndicator health = new StoreHealthIndicator(pod.monitor);
			AtomicInteger calls = new AtomicInteger();
			Mono<String> request = Mono.fromCallable(() -> "answer " + calls.incrementAndGet());
			HistorySample sample = new HistorySample(AT, false, null,
					List.of(new HistorySample.ProductFigures("video", new BigDecimal("118"), new BigDecimal("200"))),
					Map.of("video", BigDecimal.ZERO));

			// Given Redis up: a call, an entry, a recorded sample this pod has read.
			assertThat(lane.run(request).block(Duration.ofSeconds(10))).isEqualTo("answer 1");
			entries.write("team-a", new CachedValue<>("118", AT, null, AT, null));
			history.append("kling", "team-a", sample, AT.minus(Duration.ofDays(7)), 100);
			assertThat(history.read("kling", "team-a", AT.minusSeconds(60))).containsExactly(sample);
			pod.monitor.check();
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);

			// When Redis goes away
			redisServer.stopRedis();

			// Then no request is sent, and the failure says why.
			Throwable refused = catchThrowable(() -> lane.run(request).block(Duration.ofSeconds(10)));
			assertThat(refused).isInstanceOfSatisfying(UpstreamException.class,
					(ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
			assertThat(calls).hasValue(1);
			assertThatThrownBy(() -> entries.read("team-a")).isInstanceOf(StoreUnavailableException.class);
			assertThatThrownBy(() -> entries.tryLease("team-a", Duration.ofSeconds(5)))
				.isInstanceOf(StoreUnavailableException.class);
			assertThatThrownBy(() -> notifications.firing("ops")).isInstanceOf(StoreUnavailableException.class);
			ConditionKey low = new ConditionKey(EventType.LOW_BALANCE, "kling", "team-a");
			assertThatThrownBy(() -> notifications.markFiring("ops", low, Notices.event(low, State.FIRING, AT), 10))
				.isInstanceOf(StoreUnavailableException.class);
			assertThat(history.read("kling", "team-a", AT.minusSeconds(60))).as("this pod's copy").containsExactly(sample);
			HistorySample later = new HistorySample(AT.plusSeconds(600), false, null,
					List.of(new HistorySample.ProductFigures("video", new BigDecimal("117"), new BigDecimal("200"))),
					Map.of("video", BigDecimal.ONE));
			history.append("kling", "team-a", later, AT.minus(Duration.ofDays(7)), 100);
			assertThat(history.last("kling", "team-a")).isEqualTo(later);
			pod.monitor.check();
			assertThat(pod.monitor.isUp()).isFalse();
			assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
			verify(balanceService, times(0)).resync();

			// When Redis is back (empty: it keeps nothing on disk)
			redisServer.startRedis();

			// Then the pod notices, re-reads the shared snapshots once, and calls go through again.
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				pod.monitor.check();
				return pod.monitor.isUp();
			});
			verify(balanceService, times(1)).resync();
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);
			assertThat(lane.run(request).block(Duration.ofSeconds(10))).isEqualTo("answer 2");
			assertThat(entries.read("team-a")).isNull();
			assertThat(history.read("kling", "team-a", AT.minusSeconds(60))).as("the copy made during the outage is dropped")
				.isEmpty();
		}
	}

}
