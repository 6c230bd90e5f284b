package dev.klingbalances.demo;

import java.time.Duration;
import java.util.Objects;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The demo profile's simulated upstreams. They always bind to 127.0.0.1: the address is
 * deliberately not a property.
 *
 * @param port the loopback port both simulated upstreams share ({@code 0} picks a free one,
 * which only suits code that reads {@link DemoUpstreamServer#port()} afterwards)
 * @param latency the least time each simulated response takes
 * @param latencyJitter a random extra of up to this much, so responses don't arrive in lockstep
 * @param threads requests answered at the same time
 * @param queueCapacity requests that may wait for a thread; beyond that the connection is closed
 * @param usage how fast the simulated accounts use their capacity: 1 is the demo's own pace
 * (a forecast and warnings within minutes), 0 keeps every figure still
 */
@Validated
@ConfigurationProperties("balances.demo")
public record DemoProperties(
		@Min(0) @Max(65535) @DefaultValue("18089") int port,
		@NotNull @DefaultValue("150ms") Duration latency,
		@NotNull @DefaultValue("100ms") Duration latencyJitter,
		@Min(1) @DefaultValue("4") int threads,
		@Min(1) @DefaultValue("64") int queueCapacity,
		@DecimalMin("0") @DefaultValue("1") double usage) {

	public DemoProperties {
		Objects.requireNonNull(latency, "latency");
		Objects.requireNonNull(latencyJitter, "latencyJitter");
		if (latency.isNegative() || latencyJitter.isNegative()) {
			throw new IllegalArgumentException("balances.demo.latency and latency-jitter must not be negative");
		}
	}

}
