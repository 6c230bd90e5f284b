package dev.klingbalances.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two replicas' store components ({@link RedisPod}s) on one real Redis: every test of a subclass
 * runs once against a single server and once against a three-master cluster (both shared by the
 * whole run, {@link SharedTestRedis}). Each test gets its own key prefix, so nothing one test
 * writes is seen by another.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(SharedTestRedis.class)
@ExtendWith(SharedTestRedis.Lifecycle.class)
abstract class TwoPodsOnOneRedis {

	@Parameter
	SharedTestRedis shape;

	TestRedis redisServer;

	String prefix;

	RedisPod podA;

	RedisPod podB;

	@BeforeEach
	void pods(TestInfo test) {
		this.redisServer = this.shape.server();
		this.prefix = "test-" + test.getTestMethod().orElseThrow().getName() + ":";
		this.podA = new RedisPod(this.redisServer, this.prefix);
		this.podB = new RedisPod(this.redisServer, this.prefix);
	}

	@AfterEach
	void closePods() throws Exception {
		this.podA.close();
		this.podB.close();
	}

}
