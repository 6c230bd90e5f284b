package dev.klingbalances.store;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.balance.FakeProvider;
import dev.klingbalances.balance.MutableClock;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.cache.SharedStore;
import dev.klingbalances.forecast.HistorySample;
import dev.klingbalances.forecast.HistoryStore;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static dev.klingbalances.balance.FakeProvider.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two pods on one Redis take turns fetching one account: the running consumption of the shared
 * history is what one pod alone would have recorded, whatever each pod's copy of the series
 * lacks (the append script continues from the last sample Redis holds). Issue 18, item 4: with
 * the running sum computed from the pod's own copy, pod B's samples lost pod A's steps.
 */
class RedisHistoryConsumptionTest extends TwoPodsOnOneRedis {

	private static final Instant AT = Instant.parse("2026-11-21T12:00:00Z");

	private final MutableClock clock = new MutableClock(AT);

	private final AtomicInteger remaining = new AtomicInteger(1000);

	private final BalancesProperties properties = TestSettings.balances("balances.deadline=5s",
			"balances.cache.warm-up=false", "balances.cache.keep-warm=requested");

	private FakeProvider provider() {
		return new FakeProvider("kling", "units", Duration.ofMinutes(15), "team-a").answer("team-a",
				() -> Mono.just(snapshot(new Grant("pack-1", "Video Generation - 1,000 entries", "video", "decreasing_total",
						GrantStatus.ACTIVE, "online", new BigDecimal("1000"), BigDecimal.valueOf(this.remaining.get()), null,
						null))));
	}

	private BalanceService service(HistoryStore history, @Nullable SharedStore shared) {
		return new BalanceService(List.of(provider()), this.properties, this.clock, new SimpleMeterRegistry(),
				TestSettings.jsonMapper(), history, shared);
	}

	private RedisHistoryStore history(RedisPod pod, RedisSharedStore shared) {
		return new RedisHistoryStore(pod.redis, pod.keys, RedisPod.JSON, pod.monitor, shared);
	}

	@Test
	void podsTakingTurnsRecordTheConsumptionOnePodWould() {
		RedisSharedStore sharedA = this.podA.sharedStore();
		RedisSharedStore sharedB = this.podB.sharedStore();
		RedisHistoryStore historyA = history(this.podA, sharedA);
		// Pod B's history copy hears no notice: it lags behind pod A's samples (a lost or late
		// notice, or any lag), while its cache takes pod A's entries as usual.
		RedisMessageListenerContainer deaf = new RedisMessageListenerContainer();
		deaf.setConnectionFactory(this.podB.connectionFactory);
		deaf.afterPropertiesSet();
		RedisHistoryStore historyB = history(this.podB, new RedisSharedStore(this.podB.redis, deaf, RedisPod.JSON,
				this.podB.keys, RedisPod.MAX_STALE, this.podB.monitor));
		BalanceService a = service(historyA, sharedA);
		BalanceService b = service(historyB, sharedB);

		for (int turn = 0; turn < 6; turn++) {
			this.remaining.set(1000 - 10 * turn);
			this.clock.advance(Duration.ofMinutes(1));
			BalanceService fetching = (turn % 2 == 0) ? a : b;
			BalanceService other = (turn % 2 == 0) ? b : a;
			// Each pod has read the series before its turn, so its copy is there to lag behind.
			historyA.read("kling", "team-a", AT);
			historyB.read("kling", "team-a", AT);
			fetching.balance("kling", "team-a", true);
			BigDecimal expected = BigDecimal.valueOf(this.remaining.get());
			// The other pod has the entry (so its next fetch compares with it), as it would in production.
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				AccountBalance seen = other.view(List.of("kling")).accountBalance("kling", "team-a");
				return seen != null && seen.remaining() != null && seen.remaining().compareTo(expected) == 0;
			});
		}

		// One pod alone: 1000, 990, …, 950 is 50 consumed.
		List<HistorySample> shared = new RedisHistoryStore(this.podA.redis, this.podA.keys, RedisPod.JSON,
				this.podA.monitor, sharedA).read("kling", "team-a", AT);
		assertThat(shared).extracting((sample) -> sample.consumed().get("video").intValue())
			.containsExactly(0, 10, 20, 30, 40, 50);
	}

	@Test
	void aSeriesWrittenByTheVersionBeforeProductsIsSkippedAndContinuedAfresh() {
		// The sample format before products: scalar figures and consumption.
		this.podA.redis.opsForZSet().add(this.podA.keys.history("kling", "team-a"),
				"{\"at\":\"" + AT.minusSeconds(60) + "\",\"remaining\":1010,\"total\":1000,\"stale\":false,"
						+ "\"error\":null,\"consumed\":35}",
				AT.minusSeconds(60).toEpochMilli());
		RedisSharedStore shared = this.podA.sharedStore();
		RedisHistoryStore history = history(this.podA, shared);
		BalanceService service = service(history, shared);

		service.balance("kling", "team-a", true);
		this.remaining.set(990);
		this.clock.advance(Duration.ofMinutes(1));
		service.balance("kling", "team-a", true);

		assertThat(history.read("kling", "team-a", AT.minusSeconds(3600)))
			.extracting((sample) -> sample.consumed().get("video").intValue())
			.containsExactly(0, 10);
	}

}
