package dev.klingbalances.store;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shared lane is held at most for the longest request any provider can make: every
 * {@code balances.<provider>.http.response-timeout}, whatever the provider is called, and never
 * less than the default one (a provider without the setting waits that long).
 */
class LongestResponseTimeoutTest {

	@Test
	void isTheDefaultWhenNoProviderSetsOne() {
		assertThat(RedisStoreConfiguration.longestResponseTimeout(new MockEnvironment())).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void isTheLongestOfEveryProviderWithoutNamingThem() {
		MockEnvironment environment = new MockEnvironment()
			.withProperty("balances.kling.http.response-timeout", "30s")
			.withProperty("balances.acme.http.response-timeout", "45s")
			.withProperty("balances.acme.http.connect-timeout", "50s")
			.withProperty("balances.store.lane-lock-margin", "90s");
		assertThat(RedisStoreConfiguration.longestResponseTimeout(environment)).isEqualTo(Duration.ofSeconds(45));
	}

	@Test
	void readsEnvironmentVariables() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					Map.of("BALANCES_USEAPI_HTTP_RESPONSETIMEOUT", "20s", "BALANCES_SOMEPROVIDER_HTTP_RESPONSETIMEOUT", "1m")));
		assertThat(RedisStoreConfiguration.longestResponseTimeout(environment)).isEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void neverFallsBelowTheDefault() {
		MockEnvironment environment = new MockEnvironment().withProperty("balances.kling.http.response-timeout", "1s")
			.withProperty("balances.useapi.http.response-timeout", "1s");
		assertThat(RedisStoreConfiguration.longestResponseTimeout(environment)).isEqualTo(Duration.ofSeconds(5));
	}

}
