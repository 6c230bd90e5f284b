package dev.klingbalances.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What every store has: its health ({@code store}) and its gauge ({@code balances_store_up}).
 * The memory store is always up; the Redis store's status is {@link RedisStoreMonitor}
 * ({@link RedisStoreConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

	/** The memory store: this process, always there. */
	@Bean
	@ConditionalOnProperty(name = "balances.store.type", havingValue = "memory", matchIfMissing = true)
	StoreStatus memoryStoreStatus() {
		return new StoreStatus() {

			@Override
			public boolean isUp() {
				return true;
			}

			@Override
			public String type() {
				return "memory";
			}

		};
	}

	/** Health indicator {@code store}, in the {@code upstreams} group. */
	@Bean
	StoreHealthIndicator storeHealthIndicator(StoreStatus status) {
		return new StoreHealthIndicator(status);
	}

	@Bean
	Gauge storeUpGauge(StoreStatus status, MeterRegistry meterRegistry) {
		return Gauge.builder("balances.store.up", status, (store) -> store.isUp() ? 1 : 0)
			.description("1 while the shared store (balances.store.type) answers, 0 during an outage")
			.tag("type", status.type())
			.register(meterRegistry);
	}

}
