package dev.klingbalances.store;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis that asks for a password ({@code spring.data.redis.password}, set here through
 * {@code @DynamicPropertySource}): the application connects with it, and neither its logs (an
 * outage included) nor its operations endpoints ever show it.
 */
@ExtendWith({ RedisTestContainer.RequireDocker.class, OutputCaptureExtension.class })
@Testcontainers
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "balances.store.check-interval=200ms")
class RedisStorePasswordTest {

	private static final String PASSWORD = "redis-secret-7f3a91c2e4";

	@Container
	static RedisTestContainer redis = RedisTestContainer.create().withPassword(PASSWORD);

	@DynamicPropertySource
	static void redisProperties(DynamicPropertyRegistry registry) {
		redis.register(registry);
	}

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper jsonMapper;

	@Test
	void connectsWithThePasswordAndNeverShowsIt(CapturedOutput output) throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(storeStatus()));

		redis.stopRedis();
		await().atMost(Duration.ofSeconds(10)).until(() -> "DOWN".equals(storeStatus()));
		redis.startRedis();
		await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(storeStatus()));

		for (String path : List.of("/actuator/health", "/actuator/health/upstreams", "/actuator/prometheus",
				"/actuator/info")) {
			assertThat(LocalHttp.get(this.port, path).body()).as(path).doesNotContain(PASSWORD);
		}
		assertThat(output.getAll()).contains("Redis (the shared store) cannot be reached")
			.contains("answers again")
			.doesNotContain(PASSWORD);
	}

	private String storeStatus() throws Exception {
		return this.jsonMapper.readTree(LocalHttp.get(this.port, "/actuator/health/upstreams").body())
			.path("components")
			.path("store")
			.path("status")
			.asString();
	}

}
