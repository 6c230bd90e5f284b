package dev.klingbalances.provider.kling;

import java.time.Duration;

import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.store.MemoryRequestLanes;
import dev.klingbalances.upstream.RequestLanes;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

class KlingConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(KlingConfiguration.class, PropertiesConfiguration.class)
		.withBean(WebClient.Builder.class, WebClient::builder)
		.withBean(RetryRegistry.class, RetryRegistry::ofDefaults)
		.withBean(CircuitBreakerRegistry.class, CircuitBreakerRegistry::ofDefaults)
		.withBean(BulkheadRegistry.class, BulkheadRegistry::ofDefaults)
		.withBean(RequestLanes.class, MemoryRequestLanes::new)
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new);

	@Test
	void registersTheKlingProviderWithItsUnitFreshnessAndAccounts() {
		this.runner
			.withPropertyValues("balances.kling.base-url=http://127.0.0.1:9", "balances.kling.cache-ttl=10m",
					"balances.kling.accounts[0].id=main", "balances.kling.accounts[0].api-key=key-1",
					"balances.kling.accounts[1].id=second", "balances.kling.accounts[1].access-key=ak",
					"balances.kling.accounts[1].secret-key=sk")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				BalanceProvider provider = context.getBean("kling", BalanceProvider.class);
				assertThat(provider.name()).isEqualTo("kling");
				assertThat(provider.unit()).isEqualTo("units");
				assertThat(provider.dataDelay()).isEqualTo(Duration.ofHours(12));
				assertThat(provider.cacheTtl()).isEqualTo(Duration.ofMinutes(10));
				assertThat(provider.accounts().block()).containsExactly("main", "second");
				assertThat(provider.products()).containsExactly("video", "image", "other");
				assertThat(context.getBean(MeterRegistry.class).get("balances.kling.unmatched.packs").gauge().value())
					.isZero();
			});
	}

	@Test
	void startsWithoutAccounts() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("kling", BalanceProvider.class).accounts().block()).isEmpty();
		});
	}

	@EnableConfigurationProperties(KlingProperties.class)
	static class PropertiesConfiguration {

	}

}
