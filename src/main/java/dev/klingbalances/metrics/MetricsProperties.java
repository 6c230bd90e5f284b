package dev.klingbalances.metrics;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The balance gauges on {@code /actuator/prometheus}.
 *
 * @param enabled publish every account's figures as gauges
 * @param updateInterval how often the gauges are brought in step with the cached answer (they
 * only change when the answer does; a scrape itself never fetches anything)
 */
@Validated
@ConfigurationProperties("balances.metrics")
record MetricsProperties(@DefaultValue("true") boolean enabled, @NotNull @DefaultValue("5s") Duration updateInterval) {
}
