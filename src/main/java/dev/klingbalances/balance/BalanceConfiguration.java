package dev.klingbalances.balance;

import java.time.Clock;
import java.time.Duration;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.cache.CacheManager;
import org.springframework.cache.caffeine.CaffeineCache;
import org.springframework.cache.support.SimpleCacheManager;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/** Wiring of the aggregation layer: clock, cache visibility, warm-up and the refresh sweep. */
@Configuration(proxyBeanMethods = false)
class BalanceConfiguration {

	@Bean
	Clock clock() {
		// Millisecond ticks: timestamps in answers read cleanly and compare across replicas.
		return Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
	}

	/** The history of every account's figures, in memory unless a shared store is configured. */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "balances.store.type", havingValue = "memory", matchIfMissing = true)
	HistoryStore historyStore() {
		return new MemoryHistoryStore();
	}

	/** Exposes the snapshot caches to Actuator's caches endpoint and to Micrometer's cache metrics. */
	@Bean
	@SuppressWarnings("unchecked")
	CacheManager balancesCacheManager(BalanceService service) {
		SimpleCacheManager manager = new SimpleCacheManager();
		manager.setCaches(service.caches()
			.stream()
			.map((cache) -> new CaffeineCache(cache.name(),
					(com.github.benmanes.caffeine.cache.Cache<Object, Object>) (com.github.benmanes.caffeine.cache.Cache<?, ?>) cache.nativeCache()))
			.toList());
		return manager;
	}

	/** This process runs the warm-up and the sweep, unless replicas elect one leader among them. */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "balances.store.type", havingValue = "memory", matchIfMissing = true)
	Leadership leadership() {
		return Leadership.ALWAYS;
	}

	/**
	 * Once the service is ready: warm every account (if enabled) and start the sweep that keeps
	 * them fresh. Both run on the leader only: with several replicas, once for all of them (a new
	 * leader's first sweep fetches whatever is missing or due).
	 */
	@Bean
	ApplicationListener<ApplicationReadyEvent> balancesStartup(BalanceService service, BalancesProperties properties,
			TaskScheduler taskScheduler, Leadership leadership) {
		return (event) -> {
			if (properties.cache().warmUp() && leadership.isLeader()) {
				service.warmUp();
			}
			taskScheduler.scheduleWithFixedDelay(() -> {
				if (leadership.isLeader()) {
					service.sweep();
				}
			}, properties.cache().sweepInterval());
		};
	}

}
