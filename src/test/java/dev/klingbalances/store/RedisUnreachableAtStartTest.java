package dev.klingbalances.store;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis store with no Redis to reach (port 1 on loopback: nothing listens): the service
 * still starts and stays ready, and says the store is down where operators look.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "balances.store.type=redis",
		"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1", "balances.security.mode=none" })
class RedisUnreachableAtStartTest {

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper jsonMapper;

	@Test
	void startsReadyAndReportsTheStoreDown() throws Exception {
		assertThat(LocalHttp.get(this.port, "/actuator/health/readiness").statusCode()).isEqualTo(200);
		assertThat(LocalHttp.get(this.port, "/actuator/health/liveness").statusCode()).isEqualTo(200);
		HttpResponse<String> upstreams = LocalHttp.get(this.port, "/actuator/health/upstreams");
		assertThat(upstreams.statusCode()).isEqualTo(503);
		JsonNode store = this.jsonMapper.readTree(upstreams.body()).path("components").path("store");
		assertThat(store.path("status").asString()).isEqualTo("DOWN");
		assertThat(LocalHttp.get(this.port, "/actuator/prometheus").body())
			.contains("balances_store_up{type=\"redis\"} 0.0");
		HttpResponse<String> balances = LocalHttp.get(this.port, "/balances");
		assertThat(balances.statusCode()).as(balances.body()).isEqualTo(200);
	}

}
