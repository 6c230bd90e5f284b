package dev.klingbalances.provider.useapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.store.MemoryRequestLanes;
import dev.klingbalances.upstream.RequestLanes;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

class UseapiConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(UseapiConfiguration.class)
		.withBean(WebClient.Builder.class, WebClient::builder)
		.withBean(RetryRegistry.class, RetryRegistry::ofDefaults)
		.withBean(CircuitBreakerRegistry.class, CircuitBreakerRegistry::ofDefaults)
		.withBean(BulkheadRegistry.class, BulkheadRegistry::ofDefaults)
		.withBean(RequestLanes.class, MemoryRequestLanes::new)
		// Never the real host, even by mistake.
		.withPropertyValues("balances.useapi.base-url=http://127.0.0.1:9");

	@Test
	void registersProviderNamedUseapiReportingCredits() {
		this.runner.withPropertyValues("balances.useapi.cache-ttl=45s").run((context) -> {
			BalanceProvider provider = context.getBean("useapi", BalanceProvider.class);
			assertThat(provider.name()).isEqualTo("useapi");
			assertThat(provider.unit()).isEqualTo("credits");
			assertThat(provider.dataDelay()).isNull();
			assertThat(provider.cacheTtl()).isEqualTo(Duration.ofSeconds(45));
		});
	}

	@Test
	void withoutTokenReportsNoAccountsEvenWithEmailsConfigured() {
		this.runner.withPropertyValues("balances.useapi.emails=jane@example.com").run((context) -> {
			BalanceProvider provider = context.getBean("useapi", BalanceProvider.class);
			assertThat(provider.accounts().block()).isEmpty();
		});
	}

	@Test
	void derivesGrantStatusWithTheApplicationClockWhenOneExists() {
		WireMockServer wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		wireMock.start();
		try {
			// A grant that ended on 2025-01-01 (epoch seconds) is still active on 2024-06-01.
			wireMock.stubFor(get("/v1/kling/accounts/jane@example.com").willReturn(okJson("""
					{"balance":{"points":[{"orderId":"o","balance":5,"startTime":1704067200,"endTime":1735689600}]}}
					""")));
			this.runner.withBean(Clock.class, () -> Clock.fixed(Instant.parse("2024-06-01T00:00:00Z"), ZoneOffset.UTC))
				.withPropertyValues("balances.useapi.base-url=http://127.0.0.1:" + wireMock.port(),
						"balances.useapi.token=uapi-config-token")
				.run((context) -> {
					BalanceProvider provider = context.getBean("useapi", BalanceProvider.class);
					assertThat(provider.fetch("jane@example.com").block(Duration.ofSeconds(10)).grants())
						.singleElement()
						.satisfies((grant) -> assertThat(grant.status()).isEqualTo(GrantStatus.ACTIVE));
				});
			this.runner
				.withPropertyValues("balances.useapi.base-url=http://127.0.0.1:" + wireMock.port(),
						"balances.useapi.token=uapi-config-token")
				.run((context) -> {
					BalanceProvider provider = context.getBean("useapi", BalanceProvider.class);
					assertThat(provider.fetch("jane@example.com").block(Duration.ofSeconds(10)).grants())
						.singleElement()
						.satisfies((grant) -> assertThat(grant.status()).isEqualTo(GrantStatus.EXPIRED));
				});
		}
		finally {
			wireMock.stop();
		}
	}

}
