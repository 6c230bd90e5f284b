package dev.klingbalances.store;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.cache.Leadership;
import dev.klingbalances.cache.SharedEntries;
import dev.klingbalances.cache.SharedStore;
import dev.klingbalances.forecast.HistoryStore;
import dev.klingbalances.notify.NotificationStateStore;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.upstream.RequestLanes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application with {@code balances.store.type=redis} against a real Redis (how it connects:
 * the subclass): every seam gets its Redis implementation instead of the in-memory default, this
 * replica becomes the leader of a deployment of one, and the store shows in the upstreams health
 * group and as {@code balances_store_up}.
 */
@ExtendWith(RedisTestContainer.RequireDocker.class)
// Reads the actuator as the scraper does; who may read it on which port: ApiKeyAccessTest, ManagementPortTest.
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "balances.store.type=redis", "balances.security.actuator.prometheus=open" })
abstract class RedisStoreWiring {

	@LocalServerPort
	int port;

	@Autowired
	private ApplicationContext context;

	@Autowired
	private JsonMapper jsonMapper;

	@Test
	void everySeamIsBackedByRedis() {
		assertThat(this.context.getBean(SharedStore.class)).isInstanceOf(RedisSharedStore.class);
		assertThat(this.context.getBeansOfType(HistoryStore.class)).hasSize(1)
			.allSatisfy((name, store) -> assertThat(store).isInstanceOf(RedisHistoryStore.class));
		assertThat(this.context.getBeansOfType(NotificationStateStore.class)).hasSize(1)
			.allSatisfy((name, store) -> assertThat(store).isInstanceOf(RedisNotificationStateStore.class));
		assertThat(this.context.getBeansOfType(RequestLanes.class)).hasSize(1)
			.allSatisfy((name, lanes) -> assertThat(lanes).isInstanceOf(RedisRequestLanes.class));
		assertThat(this.context.getBeansOfType(Leadership.class)).hasSize(1);
		// Boot's Redis auto-configuration stays in with this store type (RedisAutoConfigurationFilter).
		assertThat(this.context.getBean(RedisConnectionFactory.class)).isInstanceOf(LettuceConnectionFactory.class);
	}

	@Test
	void aSnapshotReadsBackThroughTheApplicationsJsonMapper() {
		SharedEntries<BalanceSnapshot> entries = this.context.getBean(SharedStore.class)
			.entries("balances.round-trip", BalanceSnapshot.class);
		CachedValue<BalanceSnapshot> entry = SampleEntries.snapshot();

		entries.write("creator@example.com", entry);

		assertThat(entries.read("creator@example.com")).isEqualTo(entry);
	}

	@Test
	void theWriteNoticesAreSubscribedOnceRedisAnswers() {
		RedisMessageListenerContainer notices = this.context.getBean("storeListenerContainer",
				RedisMessageListenerContainer.class);
		await().atMost(Duration.ofSeconds(10)).until(notices::isRunning);
	}

	@Test
	void theOnlyReplicaBecomesTheLeader() {
		Leadership leadership = this.context.getBean(Leadership.class);
		await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader);
	}

	@Test
	void storeHealthIsInTheUpstreamsGroupAndAGauge() throws Exception {
		JsonNode store = this.jsonMapper.readTree(get("/actuator/health/upstreams").body())
			.path("components")
			.path("store");
		assertThat(store.path("status").asString()).isEqualTo("UP");
		assertThat(store.path("details").path("type").asString()).isEqualTo("redis");
		assertThat(get("/actuator/prometheus").body()).contains("balances_store_up{type=\"redis\"} 1.0");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return LocalHttp.get(this.port, path);
	}

}
