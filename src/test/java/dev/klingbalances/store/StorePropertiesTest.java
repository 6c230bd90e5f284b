package dev.klingbalances.store;

import java.time.Duration;

import dev.klingbalances.store.StoreProperties.StoreType;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code balances.store.*} as Spring binds and validates it. */
class StorePropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class);

	@Test
	void defaultsToTheMemoryStore() {
		this.runner.run((context) -> {
			StoreProperties properties = context.getBean(StoreProperties.class);
			assertThat(properties.type()).isEqualTo(StoreType.MEMORY);
			assertThat(properties.keyPrefix()).isEqualTo("kling-balances:");
			assertThat(properties.leaderLockExpiry()).isEqualTo(Duration.ofSeconds(10));
			assertThat(properties.checkInterval()).isEqualTo(Duration.ofSeconds(5));
		});
	}

	@Test
	void bindsRedisInAnyCase() {
		this.runner.withPropertyValues("balances.store.type=REDIS", "balances.store.key-prefix=team-a:")
			.run((context) -> assertThat(context.getBean(StoreProperties.class).type()).isEqualTo(StoreType.REDIS));
	}

	@Test
	void refusesAnUnknownStoreAndUnusableTimes() {
		this.runner.withPropertyValues("balances.store.type=postgres")
			.run((context) -> assertThat(context).getFailure().hasStackTraceContaining("balances.store.type"));
		this.runner.withPropertyValues("balances.store.leader-lock-expiry=100ms")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("balances.store.leader-lock-expiry must be at least 1s"));
		this.runner.withPropertyValues("balances.store.check-interval=0s")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("balances.store.check-interval must be positive"));
		this.runner.withPropertyValues("balances.store.key-prefix=")
			.run((context) -> assertThat(context).getFailure().hasStackTraceContaining("keyPrefix"));
		this.runner.withPropertyValues("balances.store.key-prefix=team-{a}:")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("balances.store.key-prefix must not contain '{' or '}'"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(StoreProperties.class)
	static class PropertiesConfiguration {

	}

}
