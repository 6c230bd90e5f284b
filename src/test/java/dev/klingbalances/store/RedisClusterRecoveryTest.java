package dev.klingbalances.store;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.cache.SharedEntries;
import dev.klingbalances.upstream.RequestLanes.Lane;
import dev.klingbalances.upstream.RequestLanes.Turn;
import io.lettuce.core.cluster.RedisClusterClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster that comes back is usable only once it serves every slot again, and a client
 * that looked at it half-formed (Lettuce refreshes its view of the topology on reconnects, and
 * spaces the next refresh out) must not count the store as up while its view still lacks slots:
 * keyed calls would fail with "cannot determine a partition" although every node answers PING.
 * The cluster is this test's own.
 */
class RedisClusterRecoveryTest {

	private RedisTestCluster cluster;

	@AfterEach
	void stopCluster() {
		if (this.cluster != null) {
			this.cluster.close();
		}
	}

	@Test
	void theStoreCountsAsUpOnlyOnceTheClusterServesEverySlotAndCallsThenGoThrough() throws Exception {
		this.cluster = RedisTestCluster.started();
		try (RedisPod pod = new RedisPod(this.cluster, "recovery:")) {
			SharedEntries<String> entries = pod.sharedStore().entries("balances.kling", String.class);
			AtomicInteger calls = new AtomicInteger();
			Lane lane = new RedisRequestLanes(pod.redis, pod.keys, Duration.ofSeconds(2), RedisPod.LANE_LOCK_MARGIN,
					RedisPod.LANE_POLL_INTERVAL, pod.monitor)
				.lane("kling:abc", Duration.ofMillis(100), Turn.UNTIL_ANSWERED);
			Mono<String> request = Mono.fromCallable(() -> "answer " + calls.incrementAndGet());
			assertThat(lane.run(request).block(Duration.ofSeconds(10))).isEqualTo("answer 1");
			pod.monitor.check();
			assertThat(pod.monitor.isUp()).isTrue();

			// Given the cluster went away and its nodes are back, answering but not yet joined,
			// and the client refreshed its view of the topology just then
			this.cluster.stopRedis();
			pod.monitor.check();
			assertThat(pod.monitor.isUp()).isFalse();
			this.cluster.startNodesApart();
			((RedisClusterClient) pod.connectionFactory.getRequiredNativeClient()).refreshPartitions();

			// Then the store is still down: the nodes answer, but no slot is served
			pod.monitor.check();
			assertThat(pod.monitor.isUp()).as("up while the cluster serves no slot").isFalse();

			// When the nodes form the cluster again
			this.cluster.join();

			// Then the next check finds every slot served, and keyed calls go through at once
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				pod.monitor.check();
				return pod.monitor.isUp();
			});
			assertThat(lane.run(request).block(Duration.ofSeconds(10))).isEqualTo("answer 2");
			entries.write("team-a", new CachedValue<>("118", Instant.EPOCH, null, Instant.EPOCH, null));
			assertThat(entries.read("team-a")).isNotNull();
		}
	}

}
