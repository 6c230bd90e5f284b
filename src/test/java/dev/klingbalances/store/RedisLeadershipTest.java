package dev.klingbalances.store;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leader election as the application configures it ({@link RedisStoreConfiguration}), two pods
 * against a real Redis with a one-second lock expiry: one leader at a time, and the other takes
 * over when the leader stops (it gives the lock up) or dies (its connection gone: the lock
 * expires, and the dead one no longer counts itself leader).
 */
class RedisLeadershipTest extends TwoPodsOnOneRedis {

	private LockRegistryLeaderInitiator leaderA;

	private LockRegistryLeaderInitiator leaderB;

	@BeforeEach
	void leaders() {
		this.leaderA = initiator(this.podA);
		this.leaderB = initiator(this.podB);
	}

	@AfterEach
	void stopLeaders() {
		this.leaderA.destroy();
		this.leaderB.destroy();
	}

	/** The pod's leader election as the application configures it, started. */
	static LockRegistryLeaderInitiator initiator(RedisPod pod) {
		RedisLockRegistry registry = new RedisLockRegistry(pod.connectionFactory, pod.keys.leader(),
				pod.properties.leaderLockExpiry());
		LockRegistryLeaderInitiator initiator = RedisStoreConfiguration.leaderInitiator(registry, pod.properties);
		initiator.start();
		return initiator;
	}

	static boolean leads(LockRegistryLeaderInitiator initiator) {
		return initiator.getContext().isLeader();
	}

	@Test
	void theOtherPodTakesOverWhenTheLeaderStops() {
		await().atMost(Duration.ofSeconds(10)).until(() -> leads(this.leaderA) || leads(this.leaderB));
		LockRegistryLeaderInitiator leader = leads(this.leaderA) ? this.leaderA : this.leaderB;
		LockRegistryLeaderInitiator follower = (leader == this.leaderA) ? this.leaderB : this.leaderA;
		assertThat(leads(follower)).as("one leader at a time").isFalse();

		leader.stop();

		await().atMost(Duration.ofSeconds(10)).until(() -> leads(follower));
		assertThat(leads(leader)).isFalse();
	}

	@Test
	void theOtherPodTakesOverWhenTheLeaderDies() throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> leads(this.leaderA) || leads(this.leaderB));
		boolean aLeads = leads(this.leaderA);
		LockRegistryLeaderInitiator leader = aLeads ? this.leaderA : this.leaderB;
		LockRegistryLeaderInitiator follower = aLeads ? this.leaderB : this.leaderA;
		// Stays with the leader while it renews the lock, well past the lock's expiry.
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
			.until(() -> leads(leader) && !leads(follower));

		// Dies: its connection is gone, it neither renews nor gives the lock up.
		(aLeads ? this.podA : this.podB).connectionFactory.destroy();

		await().atMost(Duration.ofSeconds(15)).until(() -> leads(follower) && !leads(leader));
	}

}
