package dev.klingbalances.metrics;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.balance.TestSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/** The gauges are on by default and can be switched off. */
class MetricsConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(MetricsConfiguration.class, Settings.class)
		.withBean(BalanceService.class, () -> mock(BalanceService.class))
		.withBean(BalancesProperties.class, () -> TestSettings.balances())
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withBean(TaskScheduler.class, () -> mock(TaskScheduler.class));

	@Test
	void publishesTheGaugesByDefault() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(BalanceMetrics.class);
			assertThat(context.getBean(MetricsProperties.class).updateInterval()).hasSeconds(5);
		});
	}

	@Test
	void publishesNothingWhenSwitchedOff() {
		this.runner.withPropertyValues("balances.metrics.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(BalanceMetrics.class);
			assertThat(context.getBeansOfType(org.springframework.context.ApplicationListener.class).keySet())
				.doesNotContain("balanceMetricsStartup");
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(MetricsProperties.class)
	static class Settings {

	}

}
