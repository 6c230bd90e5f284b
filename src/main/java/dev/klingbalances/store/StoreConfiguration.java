package dev.klingbalances.store;

import dev.klingbalances.cache.Leadership;
import dev.klingbalances.forecast.HistoryStore;
import dev.klingbalances.notify.NotificationStateStore;
import dev.klingbalances.upstream.RequestLanes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The one place {@code balances.store.type} is read: it chooses the implementation of every
 * store the other packages declare as an interface. {@code memory} ({@link MemoryStore}): the
 * history, the notification state and outbox, the request lanes in this process, and this process
 * always leads; no shared entries and no shared consumer budget (every cache and rate limiter is
 * this replica's own). {@code redis} ({@link RedisStoreConfiguration}): all of them in Redis,
 * shared by the replicas, with one elected leader. Either way the store has a health indicator
 * ({@code store}) and a gauge ({@code balances_store_up}).
 */
@Configuration(proxyBeanMethods = false)
class StoreConfiguration {

	static final String TYPE = "balances.store.type";

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

	/** {@code balances.store.type=memory} (the default): one replica, everything in this process. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = TYPE, havingValue = "memory", matchIfMissing = true)
	static class MemoryStore {

		/** The memory store: this process, always there. */
		@Bean
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

		/** The history of every account's figures, lost on restart (which only delays forecasts). */
		@Bean
		HistoryStore historyStore() {
			return new MemoryHistoryStore();
		}

		/** Which notifications were sent, and the outbox of those still to send. */
		@Bean
		NotificationStateStore notificationStateStore() {
			return new MemoryNotificationStateStore();
		}

		/** This process's lanes: the pacing rules hold for this replica, which is all there is. */
		@Bean
		RequestLanes requestLanes() {
			return new MemoryRequestLanes();
		}

		/** This process runs the warm-up and the sweep. */
		@Bean
		Leadership leadership() {
			return Leadership.ALWAYS;
		}

	}

	/** {@code balances.store.type=redis}: any number of replicas sharing one Redis. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = TYPE, havingValue = "redis")
	@Import(RedisStoreConfiguration.class)
	static class RedisStore {

	}

}
