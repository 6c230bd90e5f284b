package dev.klingbalances.store;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import org.springframework.boot.testcontainers.service.connection.ServiceConnection;

/**
 * {@link RedisStoreWiring} on one Redis server, connected through {@code @ServiceConnection}
 * (the container reports its host-network port as the mapped one).
 */
@Testcontainers
class RedisStoreWiringTest extends RedisStoreWiring {

	@Container
	@ServiceConnection(name = "redis")
	static RedisTestContainer redis = RedisTestContainer.create();

}
