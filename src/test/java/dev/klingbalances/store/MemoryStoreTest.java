package dev.klingbalances.store;

import java.net.http.HttpResponse;

import dev.klingbalances.DefaultSettingsTest;
import dev.klingbalances.cache.SharedStore;
import dev.klingbalances.demo.DemoUpstreamServer;
import io.lettuce.core.resource.ClientResources;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default, memory store needs no Redis: none of the Redis store's beans exist, nor Boot's
 * Redis connection (even when one is configured, as here, at a port nobody listens on): the
 * application starts and is healthy, and the store reports itself up in the upstreams health
 * group (Boot's own Redis health indicator is off).
 */
@DefaultSettingsTest
class MemoryStoreTest {

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext context;

	@Autowired
	private JsonMapper jsonMapper;

	@Test
	void noRedisBeanIsCreated() {
		assertThat(this.context.getBeansOfType(SharedStore.class)).isEmpty();
		assertThat(this.context.getBeansOfType(RedisStoreMonitor.class)).isEmpty();
	}

	/**
	 * Boot's Redis auto-configuration is left out ({@link RedisAutoConfigurationFilter}): no
	 * connection factory, no Lettuce client resources (their event loops), no template, and none
	 * of the leader election's Spring Integration beans.
	 */
	@Test
	void noRedisConnectionNorLettuceClientIsConfigured() {
		assertThat(this.context.getBeanNamesForType(RedisConnectionFactory.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(ClientResources.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(RedisTemplate.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(LockRegistryLeaderInitiator.class)).isEmpty();
		assertThat(this.context.getBeanDefinitionNames())
			.noneMatch((name) -> name.startsWith(RedisAutoConfigurationFilter.REDIS_AUTO_CONFIGURATION));
	}

	/** The whole application without a profile: the demo's simulated upstreams are not there. */
	@Test
	void theDemoUpstreamsAreNotStartedWithoutTheDemoProfile() {
		assertThat(this.context.getEnvironment().getActiveProfiles()).doesNotContain("demo");
		assertThat(this.context.getBeanNamesForType(DemoUpstreamServer.class)).isEmpty();
	}

	@Test
	void healthIsUpWithoutRedis() throws Exception {
		HttpResponse<String> health = get("/actuator/health/upstreams");
		JsonNode store = this.jsonMapper.readTree(health.body()).path("components").path("store");
		assertThat(store.path("status").asString()).as(health.body()).isEqualTo("UP");
		assertThat(store.path("details").path("type").asString()).isEqualTo("memory");
		assertThat(this.jsonMapper.readTree(health.body()).path("components").has("redis")).isFalse();
		assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/prometheus").body()).contains("balances_store_up{type=\"memory\"} 1.0");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return LocalHttp.get(this.port, path);
	}

}
