package dev.klingbalances.upstream;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Transport limits for one upstream, nested under each provider's properties as {@code http}.
 *
 * @param connectTimeout how long to wait for a TCP connection
 * @param responseTimeout how long one attempt may take, headers and body included
 * @param maxResponseSize larger bodies are refused as a bad response instead of being buffered
 * @param maxConnections concurrent connections to the upstream (the pool is the bulkhead's floor)
 * @param maxPendingRequests requests that may wait for a connection before being refused
 */
public record UpstreamHttpProperties(
		@NotNull @DefaultValue("2s") Duration connectTimeout,
		@NotNull @DefaultValue("5s") Duration responseTimeout,
		@NotNull @DefaultValue("1MB") DataSize maxResponseSize,
		@DefaultValue("16") int maxConnections,
		@DefaultValue("64") int maxPendingRequests) {

	public static UpstreamHttpProperties defaults() {
		return new UpstreamHttpProperties(Duration.ofSeconds(2), Duration.ofSeconds(5), DataSize.ofMegabytes(1), 16,
				64);
	}

}
