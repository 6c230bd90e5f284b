package dev.klingbalances.store;

import java.time.Duration;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.store.StoreProperties.StoreType;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * One replica's view of a test Redis, for tests of the store's components: its own connection,
 * template, listener container and monitor, as a pod of the application has. Closing it closes
 * its connection (as a pod that stops or dies).
 */
final class RedisPod implements AutoCloseable {

	/** A short lane margin and poll, so that tests of a dead holder or a waiting pod run quickly. */
	static final Duration LANE_LOCK_MARGIN = Duration.ofSeconds(1);

	static final Duration LANE_POLL_INTERVAL = Duration.ofMillis(20);

	static final JsonMapper JSON = JsonMapper.builder().build();

	/** {@code balances.cache.max-stale} as the application has it by default. */
	static final Duration MAX_STALE = TestSettings.balances().cache().maxStale();

	final LettuceConnectionFactory connectionFactory;

	final StringRedisTemplate redis;

	final StoreProperties properties;

	final StoreKeys keys;

	final RedisStoreMonitor monitor;

	final StaticListableBeanFactory beans = new StaticListableBeanFactory();

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	private final RedisMessageListenerContainer listeners;

	RedisPod(TestRedis container, String keyPrefix) {
		this.connectionFactory = container.connectionFactory();
		this.redis = new StringRedisTemplate(this.connectionFactory);
		this.properties = new StoreProperties(StoreType.REDIS, keyPrefix, Duration.ofSeconds(1), Duration.ofSeconds(1));
		this.keys = new StoreKeys(keyPrefix);
		this.scheduler.initialize();
		this.listeners = new RedisMessageListenerContainer();
		this.listeners.setConnectionFactory(this.connectionFactory);
		this.listeners.afterPropertiesSet();
		this.monitor = new RedisStoreMonitor(this.redis, this.properties, this.beans.getBeanProvider(BalanceService.class),
				this.scheduler, this.listeners);
	}

	/** This pod's subscription, started (as the monitor starts it once Redis answers). */
	synchronized RedisMessageListenerContainer listeners() {
		if (!this.listeners.isRunning()) {
			this.listeners.start();
		}
		return this.listeners;
	}

	/** The shared store with the default {@code balances.cache.max-stale}. */
	RedisSharedStore sharedStore() {
		return sharedStore(MAX_STALE);
	}

	RedisSharedStore sharedStore(Duration maxStale) {
		return new RedisSharedStore(this.redis, listeners(), JSON, this.keys, maxStale, this.monitor);
	}

	@Override
	public void close() throws Exception {
		this.listeners.stop();
		this.listeners.destroy();
		this.scheduler.shutdown();
		this.connectionFactory.destroy();
	}

}
