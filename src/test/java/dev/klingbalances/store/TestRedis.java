package dev.klingbalances.store;

import java.util.Map;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A real Redis for tests, whichever its shape: one server ({@link RedisTestContainer}) or a
 * cluster of three masters ({@link RedisTestCluster}). What a test needs of it: the application's
 * properties and a connection of its own.
 */
public interface TestRedis extends AutoCloseable {

	/** The Spring properties of an application using this Redis as its shared store. */
	Map<String, String> properties();

	/** {@link #properties()} for a {@code @DynamicPropertySource}. */
	default void register(DynamicPropertyRegistry registry) {
		properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	/**
	 * A connection factory of its own (a pod's connection), with the client options the
	 * application uses and reconnect attempts at most a second apart; started. The caller
	 * destroys it.
	 */
	LettuceConnectionFactory connectionFactory();

	/** Takes Redis away: connections are refused until {@link #startRedis()}. */
	void stopRedis();

	/** Brings Redis back on the same address, empty. */
	void startRedis();

	/** Stops it for good. */
	@Override
	void close();

}
