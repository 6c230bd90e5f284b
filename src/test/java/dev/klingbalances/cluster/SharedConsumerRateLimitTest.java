package dev.klingbalances.cluster;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.klingbalances.contract.TestKeys;
import dev.klingbalances.store.RedisTestContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the application on one Redis: a consumer's rate limit is one budget for
 * both, not one each; without Redis each instance limits on its own and no request fails. The
 * cached reads below are answered by the fast path; {@link SharedConsumerRateLimitFullChainTest}
 * repeats it with every request through the full chain.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedConsumerRateLimitTest {

	private static final HttpClient http = HttpClient.newHttpClient();

	private RedisTestContainer redis;

	private final List<Instance> instances = new ArrayList<>();

	/** Whether the instances answer cached reads ahead of Spring Security and MVC. */
	boolean fastPath() {
		return true;
	}

	@BeforeAll
	void twoInstancesOnOneRedis() {
		this.redis = RedisTestContainer.started();
		Map<String, String> properties = new LinkedHashMap<>(redis.properties());
		properties.put("server.port", "0");
		properties.put("server.address", "127.0.0.1");
		properties.put("spring.main.banner-mode", "off");
		properties.put("balances.cache.warm-up", "false");
		properties.put("balances.fast-path.enabled", Boolean.toString(fastPath()));
		properties.put("balances.kling.base-url", "http://127.0.0.1:9");
		properties.put("balances.useapi.base-url", "http://127.0.0.1:9");
		properties.put("balances.security.api-keys[0].name", "reporting");
		properties.put("balances.security.api-keys[0].sha256", TestKeys.THROTTLED_SHA256);
		properties.put("balances.security.api-keys[1].name", "bob");
		properties.put("balances.security.api-keys[1].sha256", TestKeys.BOB_SHA256);
		for (String consumer : List.of("reporting", "bob")) {
			String instance = "resilience4j.ratelimiter.instances.consumer-" + consumer;
			properties.put(instance + ".base-config", "consumer");
			properties.put(instance + ".limit-for-period", "4");
			properties.put(instance + ".limit-refresh-period", "1h");
		}
		instances.add(Instance.start("a", properties, http));
		instances.add(Instance.start("b", properties, http));
	}

	@AfterAll
	void stop() {
		instances.forEach(Instance::close);
		if (redis != null) {
			redis.stop();
		}
	}

	@Test
	@Order(1)
	void twoInstancesGrantAConsumerItsBudgetOnceBetweenThem() throws Exception {
		// When eight requests of one consumer alternate between the instances (4 per hour)
		List<HttpResponse<String>> answers = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			answers.add(instances.get(i % 2).get("/balances", "X-API-Key", TestKeys.THROTTLED));
		}

		// Then four are answered and four refused, not eight answered (four by each instance)
		assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200, 200, 429, 429, 429, 429);
		assertThat(answers.get(5).headers().firstValue("Retry-After")).hasValueSatisfying(
				(seconds) -> assertThat(Long.parseLong(seconds)).isBetween(1L, 3600L));
		assertThat(answers.get(5).body()).contains("TOO_MANY_REQUESTS").contains("4 requests per 3600 s");
		assertThat(instances).allSatisfy((instance) -> assertThat(instance.count("balances.consumer.limit.local")).isZero());
	}

	@Test
	@Order(2)
	void withoutRedisEachInstanceLimitsOnItsOwnAndNoRequestFails() throws Exception {
		redis.stopRedis();
		try {
			// When another consumer calls one instance while Redis is away
			List<Integer> statuses = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				statuses.add(instances.get(0).get("/balances", "X-API-Key", TestKeys.BOB).statusCode());
			}

			// Then that instance's own limiter decides (4 per hour): no error, no unlimited requests
			assertThat(statuses).containsExactly(200, 200, 200, 200, 429);
			assertThat(instances.get(0).count("balances.consumer.limit.local")).isEqualTo(5);
		}
		finally {
			redis.startRedis();
		}
	}

}
