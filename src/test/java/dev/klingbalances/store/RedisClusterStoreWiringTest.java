package dev.klingbalances.store;

import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link RedisStoreWiring} on a Redis Cluster of three masters, configured the Spring Boot way
 * ({@code spring.data.redis.cluster.nodes}): the write notices' subscription, the leader lock,
 * the health check and the shared entries all work against a cluster.
 */
@ExtendWith(SharedTestRedis.Lifecycle.class)
@DirtiesContext // closed before the shared cluster stops at the end of the run
class RedisClusterStoreWiringTest extends RedisStoreWiring {

	@DynamicPropertySource
	static void cluster(DynamicPropertyRegistry registry) {
		SharedTestRedis.CLUSTER.server().register(registry);
	}

}
