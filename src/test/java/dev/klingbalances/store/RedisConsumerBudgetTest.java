package dev.klingbalances.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.klingbalances.cache.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Each consumer's budget in Redis, taken by two replicas at once: together they grant the
 * configured number of requests per period, not that number each; consumers do not share a
 * budget; a spent budget says how long until it refills and refills then.
 */
class RedisConsumerBudgetTest extends TwoPodsOnOneRedis {

	@Test
	void twoReplicasTogetherGrantOneConsumersBudgetOnce() {
		// Given two replicas' budgets on one Redis, five requests per hour
		List<RedisConsumerBudget> replicas = List.of(budget(this.podA), budget(this.podB));
		List<Long> answers = new ArrayList<>();

		// When ten requests of one consumer alternate between them
		for (int i = 0; i < 10; i++) {
			answers.add(replicas.get(i % 2).take("reporting", 5, Duration.ofHours(1)));
		}

		// Then five are granted in all, and the others learn how long until the hour is over
		assertThat(answers.subList(0, 5)).containsOnly(0L);
		assertThat(answers.subList(5, 10)).allSatisfy((wait) -> assertThat(wait).isBetween(1L, 3_600_000L));
		assertThat(replicas.get(1).take("another-consumer", 5, Duration.ofHours(1))).as("its own budget").isZero();
	}

	@Test
	void aSpentBudgetRefillsWhenItsPeriodIsOver() {
		RedisConsumerBudget a = budget(this.podA);
		RedisConsumerBudget b = budget(this.podB);
		Duration period = Duration.ofMillis(300);
		assertThat(a.take("reporting", 1, period)).isZero();
		long wait = b.take("reporting", 1, period);
		assertThat(wait).isBetween(1L, 300L);

		await().atMost(Duration.ofSeconds(5)).until(() -> b.take("reporting", 1, period) == 0);
	}

	@Test
	void callsNoRedisWhileTheStoreCountsAsDown() {
		RedisConsumerBudget budget = budget(this.podA);
		this.podA.monitor.failed(new IllegalStateException("connection lost"));

		assertThatExceptionOfType(StoreUnavailableException.class)
			.isThrownBy(() -> budget.take("reporting", 5, Duration.ofHours(1)));
		assertThat(this.podA.redis.hasKey(this.podA.keys.consumerBudget("reporting"))).as("nothing taken").isFalse();
	}

	private static RedisConsumerBudget budget(RedisPod pod) {
		return new RedisConsumerBudget(pod.redis, pod.keys, pod.monitor);
	}

}
