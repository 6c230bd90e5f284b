package dev.klingbalances.store;

import java.time.Duration;

import dev.klingbalances.store.StoreProperties.StoreType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

import static org.awaitility.Awaitility.await;

/**
 * A leader whose application context closes (a rolling update's shutdown) gives its lock back
 * before its Redis connection goes: the other replica leads long before the lock would expire.
 * Each context holds what the application's does for the election: the connection factory
 * (a lifecycle bean, stopped on close), the lock registry, the initiator and the handover. On
 * one Redis server and on a cluster of three masters ({@link SharedTestRedis}).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(SharedTestRedis.class)
@ExtendWith(SharedTestRedis.Lifecycle.class)
class RedisLeaderHandoverTest {

	/** Far longer than the test waits for the handover: an expired lock cannot pass for a released one. */
	private static final Duration LOCK_EXPIRY = Duration.ofSeconds(60);

	@Parameter
	SharedTestRedis shape;

	private GenericApplicationContext replicaA;

	private GenericApplicationContext replicaB;

	@AfterEach
	void closeReplicas() {
		if (this.replicaA != null) {
			this.replicaA.close();
		}
		if (this.replicaB != null) {
			this.replicaB.close();
		}
	}

	@Test
	void aStoppingLeaderHandsOverAtOnce() {
		this.replicaA = replica();
		await().atMost(Duration.ofSeconds(20)).until(() -> leads(this.replicaA));
		this.replicaB = replica();
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !leads(this.replicaB));

		this.replicaA.close();

		await().atMost(LOCK_EXPIRY.dividedBy(4)).until(() -> leads(this.replicaB));
	}

	private GenericApplicationContext replica() {
		TestRedis redisServer = this.shape.server();
		StoreProperties properties = new StoreProperties(StoreType.REDIS, "handover-test:", LOCK_EXPIRY,
				Duration.ofSeconds(1));
		StoreKeys keys = new StoreKeys(properties.keyPrefix());
		GenericApplicationContext context = new GenericApplicationContext();
		context.registerBean(LettuceConnectionFactory.class, redisServer::connectionFactory);
		context.registerBean(RedisLockRegistry.class,
				() -> new RedisLockRegistry(context.getBean(LettuceConnectionFactory.class), keys.leader(),
						properties.leaderLockExpiry()),
				(definition) -> definition.setDestroyMethodName("destroy"));
		context.registerBean(LockRegistryLeaderInitiator.class,
				() -> RedisStoreConfiguration.leaderInitiator(context.getBean(RedisLockRegistry.class), properties));
		context.registerBean(LeaderHandover.class, () -> new LeaderHandover(
				context.getBean(LockRegistryLeaderInitiator.class), properties.leaderLockExpiry()));
		context.refresh();
		return context;
	}

	private static boolean leads(GenericApplicationContext replica) {
		return replica.getBean(LockRegistryLeaderInitiator.class).getContext().isLeader();
	}

}
