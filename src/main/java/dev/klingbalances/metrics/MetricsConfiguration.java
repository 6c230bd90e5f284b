package dev.klingbalances.metrics;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalancesProperties;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/** The balance gauges, kept in step with the cached answer on a schedule (off with {@code balances.metrics.enabled=false}). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "balances.metrics.enabled", matchIfMissing = true)
class MetricsConfiguration {

	@Bean
	BalanceMetrics balanceMetrics(BalanceService service, BalancesProperties properties, MeterRegistry meterRegistry) {
		return new BalanceMetrics(service, properties, meterRegistry);
	}

	/** Once the service is ready: publish, then follow every change of the view. */
	@Bean
	ApplicationListener<ApplicationReadyEvent> balanceMetricsStartup(BalanceMetrics metrics, MetricsProperties properties,
			TaskScheduler taskScheduler) {
		return (event) -> {
			metrics.update();
			taskScheduler.scheduleWithFixedDelay(metrics::update, properties.updateInterval());
		};
	}

}
