package dev.klingbalances.provider.useapi;

import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.klingbalances.upstream.UpstreamHttpProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.klingbalances.provider.useapi.UseapiTestSupport.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/** How many useapi.net accounts one token can keep fresh, in the log and in the health group. */
class UseapiCapacityTest {

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private final Logger logger = (Logger) LoggerFactory.getLogger(UseapiCapacity.class);

	@BeforeEach
	void captureWarnings() {
		this.log.start();
		this.logger.addAppender(this.log);
	}

	@AfterEach
	void stopCapturing() {
		this.logger.detachAppender(this.log);
	}

	@Test
	void theDefaultsKeep160AccountsFresh() {
		// 0.8 × 120 s / (0.5 s + 0.1 s margin)
		assertThat(UseapiCapacity.capacity(Duration.ofMinutes(2), Duration.ofMillis(600))).isEqualTo(160);
		assertThat(UseapiCapacity.capacity(Duration.ofMinutes(2), Duration.ofMillis(601))).isEqualTo(159);
		assertThat(UseapiCapacity.capacity(Duration.ofDays(100_000), Duration.ofNanos(1))).isEqualTo(Integer.MAX_VALUE);
	}

	@Test
	void healthIsUpWithTheNumbersAndAWarningOnlyWhenOverCapacity() {
		UseapiCapacity capacity = capacity(2, Duration.ofSeconds(60));
		assertThat(capacity.capacity()).isEqualTo(80);

		Health unknown = capacity.health();
		assertThat(unknown.getStatus()).isEqualTo(Status.UP);
		assertThat(unknown.getDetails()).containsOnlyKeys("capacity").containsEntry("capacity", 80);

		capacity.observe(80);
		assertThat(capacity.health().getDetails()).containsEntry("accounts", 80).doesNotContainKey("warning");

		capacity.observe(81);
		Health over = capacity.health();
		assertThat(over.getStatus()).isEqualTo(Status.UP);
		assertThat(over.getDetails()).containsEntry("accounts", 81).containsEntry("capacity", 80);
		assertThat((String) over.getDetails().get("warning")).contains("81 accounts", "at most 80",
				"balances.useapi.requests-per-second", "balances.useapi.cache-ttl");
	}

	@Test
	void warnsOncePerChangeOfTheCountWhileOverCapacity() {
		UseapiCapacity capacity = capacity(2, Duration.ofSeconds(60));

		// 0.8 × 60 s / (0.5 s + 0.1 s margin) = 80
		capacity.observe(50);
		capacity.observe(100);
		capacity.observe(100);
		capacity.observe(100);
		capacity.observe(120);
		capacity.observe(40);
		capacity.observe(40);

		assertThat(this.log.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.WARN);
		assertThat(this.log.list.get(0).getFormattedMessage()).contains("useapi.net has 100 accounts",
				"balances.useapi.requests-per-second=2.0", "balances.useapi.cache-ttl=60s", "at most 80");
		assertThat(this.log.list.get(1).getFormattedMessage()).contains("120 accounts");
	}

	@Test
	void countsConfiguredEmailsAtStartUp() {
		UseapiProperties properties = UseapiTestSupport.properties("http://127.0.0.1:9", TOKEN,
				List.of("a@example.com", "b@example.com", "c@example.com"), 0.02, http());
		UseapiCapacity capacity = new UseapiCapacity(properties);

		UseapiBalanceProvider.create(properties, WebClient.builder(),
				UseapiTestSupport.retries(), UseapiTestSupport.circuitBreakers(100), UseapiTestSupport.bulkheads(),
				new dev.klingbalances.store.MemoryRequestLanes(), UseapiTestSupport.CLOCK, capacity);

		// 0.8 × 120 s / 50 s: one account stays fresh, not three
		assertThat(capacity.health().getDetails()).containsEntry("accounts", 3)
			.containsEntry("capacity", 1)
			.containsKey("warning");
		assertThat(this.log.list).singleElement()
			.satisfies((event) -> assertThat(event.getFormattedMessage()).contains("3 accounts"));
	}

	@Test
	void countsDiscoveredAccountsWhenDiscoveryAnswers() {
		WireMockServer wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		wireMock.start();
		try {
			wireMock.stubFor(get("/v1/kling/accounts")
				.willReturn(okJson("{\"a@example.com\":{}, \"b@example.com\":{}, \"c@example.com\":{}}")));
			// 0.8 × 250 ms / 100 ms: two accounts can stay fresh (a fast pace, so a retry does not wait long)
			UseapiProperties properties = new UseapiProperties("http://127.0.0.1:" + wireMock.port(), TOKEN, List.of(),
					Duration.ofMillis(250), 10, Duration.ZERO, Duration.ofMinutes(10), http());
			UseapiCapacity capacity = new UseapiCapacity(properties);
			UseapiBalanceProvider provider = UseapiBalanceProvider.create(properties,
					WebClient.builder(), UseapiTestSupport.retries(),
					UseapiTestSupport.circuitBreakers(100), UseapiTestSupport.bulkheads(), new dev.klingbalances.store.MemoryRequestLanes(), UseapiTestSupport.CLOCK,
					capacity);
			assertThat(capacity.health().getDetails()).doesNotContainKey("accounts");

			provider.accounts().block(Duration.ofSeconds(10));

			assertThat(capacity.health().getDetails()).containsEntry("accounts", 3).containsKey("warning");
			assertThat(this.log.list).singleElement()
				.satisfies((event) -> assertThat(event.getFormattedMessage()).contains("3 accounts"));
		}
		finally {
			wireMock.stop();
		}
	}

	@Test
	void withoutATokenThereAreNoAccounts() {
		UseapiProperties properties = UseapiTestSupport.properties("http://127.0.0.1:9", null,
				List.of("a@example.com"), 2, http());
		UseapiCapacity capacity = new UseapiCapacity(properties);

		UseapiBalanceProvider.create(properties, WebClient.builder(),
				UseapiTestSupport.retries(), UseapiTestSupport.circuitBreakers(100), UseapiTestSupport.bulkheads(),
				new dev.klingbalances.store.MemoryRequestLanes(), UseapiTestSupport.CLOCK, capacity);

		assertThat(capacity.health().getDetails()).containsEntry("accounts", 0).doesNotContainKey("warning");
	}

	private static UseapiCapacity capacity(double requestsPerSecond, Duration cacheTtl) {
		return new UseapiCapacity(new UseapiProperties("http://127.0.0.1:9", TOKEN, List.of(), cacheTtl,
				requestsPerSecond, Duration.ofMillis(100), Duration.ofMinutes(10), http()));
	}

	private static UpstreamHttpProperties http() {
		return UseapiTestSupport.http(Duration.ofSeconds(2), DataSize.ofKilobytes(64));
	}

}
