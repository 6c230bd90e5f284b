package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;

import dev.klingbalances.cache.CacheSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class BalancesPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class);

	@Test
	void estimatesAndPicksHaveTheDocumentedDefaults() {
		BalancesProperties properties = TestSettings.balances();
		assertThat(properties.forecast().estimateStep()).isEqualTo(Duration.ofMinutes(1));
		assertThat(properties.picker().maxNeed()).isEqualByComparingTo(new BigDecimal("1000000000"));
	}

	@Test
	void refusesAnEstimateStepThatIsNotWholeSeconds() {
		for (String step : new String[] { "500ms", "1500ms", "0s" }) {
			this.runner.withPropertyValues("balances.forecast.estimate-step=" + step)
				.run((context) -> assertThat(messages(context.getStartupFailure())).as(step)
					.contains("balances.forecast.estimate-step must be a whole number of seconds, at least 1s"));
		}
		this.runner.withPropertyValues("balances.forecast.estimate-step=30s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void refusesAMaxNeedBelowOne() {
		this.runner.withPropertyValues("balances.picker.max-need=0.5")
			.run((context) -> assertThat(messages(context.getStartupFailure())).contains("picker.maxNeed"));
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.append(cause).append('\n');
		}
		return messages.toString();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(BalancesProperties.class)
	static class PropertiesConfiguration {

	}

	@Test
	void defaultsAreTheDocumentedOnes() {
		BalancesProperties properties = TestSettings.balances();
		assertThat(properties.cache().keepWarm()).isEqualTo(CacheSettings.KeepWarm.ALL);
		assertThat(properties.cache().fetchConcurrency()).isEqualTo(16);
		assertThat(properties.forecast().window()).isEqualTo(Duration.ofDays(7));
		assertThat(properties.forecast().minSpan()).isEqualTo(Duration.ofHours(12));
		assertThat(properties.alerts().expiryWarning()).isEqualTo(Duration.ofDays(7));
		assertThat(properties.alerts().lowBalance()).isEmpty();
		assertThat(properties.alerts().lowBalanceOf("kling", "team-a", "units")).isNull();
	}

	@Test
	void lowBalanceThresholdsPerUnitAreOverriddenPerAccount() {
		BalancesProperties.Alerts alerts = TestSettings.balances("balances.alerts.low-balance.units=100",
				"balances.alerts.low-balance.credits=5000", "balances.alerts.accounts[0].provider=useapi",
				"balances.alerts.accounts[0].account=artist@example.com", "balances.alerts.accounts[0].low-balance=250")
			.alerts();
		assertThat(alerts.lowBalanceOf("kling", "team-a", "units")).isEqualByComparingTo("100");
		assertThat(alerts.lowBalanceOf("useapi", "artist@example.com", "credits")).isEqualByComparingTo("250");
		assertThat(alerts.lowBalanceOf("useapi", "other@example.com", "credits")).isEqualByComparingTo("5000");
	}

}
