package dev.klingbalances.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Two replicas' store components ({@link RedisPod}s) on one real Redis, started once per test
 * class. Each test gets its own key prefix, so nothing one test writes is seen by another.
 */
abstract class TwoPodsOnOneRedis {

	static RedisTestContainer redisServer;

	String prefix;

	RedisPod podA;

	RedisPod podB;

	@BeforeAll
	static void startRedis() {
		redisServer = RedisTestContainer.started();
	}

	@AfterAll
	static void stopRedis() {
		if (redisServer != null) {
			redisServer.stop();
		}
	}

	@BeforeEach
	void pods(TestInfo test) {
		this.prefix = "test-" + test.getTestMethod().orElseThrow().getName() + ":";
		this.podA = new RedisPod(redisServer, this.prefix);
		this.podB = new RedisPod(redisServer, this.prefix);
	}

	@AfterEach
	void closePods() throws Exception {
		this.podA.close();
		this.podB.close();
	}

}
