package dev.klingbalances.store;

import java.net.http.HttpResponse;

import dev.klingbalances.DefaultSettingsTest;
import dev.klingbalances.cache.SharedStore;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default, memory store needs no Redis: none of the Redis store's beans exist, the Redis
 * connection Boot configures (pointed here at a port nobody listens on) is never needed: the
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
