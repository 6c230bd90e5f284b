package dev.klingbalances.balance;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BalancesPropertiesTest {

	@Test
	void defaultsAreTheDocumentedOnes() {
		BalancesProperties properties = TestSettings.balances();
		assertThat(properties.cache().keepWarm()).isEqualTo(BalancesProperties.KeepWarm.ALL);
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
