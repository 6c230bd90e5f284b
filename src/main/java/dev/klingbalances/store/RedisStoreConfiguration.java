package dev.klingbalances.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.cache.Leadership;
import dev.klingbalances.upstream.UpstreamHttpProperties;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.scheduling.TaskScheduler;

/**
 * {@code balances.store.type=redis} (imported by {@link StoreConfiguration}, which reads the
 * type; not a {@code @Configuration} of its own, so component scanning does not find it): the
 * replicas share their snapshots, leases, request lanes, history, notification state and consumer
 * budgets in Redis, and elect one leader for the warm-up and the sweep. The connection is Spring Boot's ({@code spring.data.redis.*}, Lettuce): one server, or a Redis
 * Cluster through {@code spring.data.redis.cluster.nodes} (every script keeps to one slot, see
 * {@link StoreKeys}).
 */
class RedisStoreConfiguration {

	/**
	 * Commands fail at once while the connection is down, instead of queueing until it is back
	 * or the command timeout passes: a replica then answers from its own copies without waiting
	 * (and calls no upstream). Lettuce keeps reconnecting in the background.
	 */
	static ClientOptions.Builder clientOptions(ClientOptions.Builder options) {
		return options.autoReconnect(true).disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
	}

	@Bean
	LettuceClientOptionsBuilderCustomizer storeClientOptions() {
		return RedisStoreConfiguration::clientOptions;
	}

	/**
	 * A lost connection is tried again after growing waits, at most {@code check-interval} apart
	 * (Lettuce's default grows to 30 s): Redis back means this replica back within about that.
	 */
	static Delay reconnectDelay(StoreProperties properties) {
		Duration first = Duration.ofMillis(Math.min(100, properties.checkInterval().toMillis()));
		return Delay.exponential(first, properties.checkInterval(), 2, TimeUnit.MILLISECONDS);
	}

	@Bean
	ClientResourcesBuilderCustomizer storeClientResources(StoreProperties properties) {
		return (resources) -> resources.reconnectDelay(reconnectDelay(properties));
	}

	@Bean
	StoreKeys storeKeys(StoreProperties properties) {
		return new StoreKeys(properties.keyPrefix());
	}

	/**
	 * The write notices' subscription. Not started with the application: the monitor starts it
	 * once Redis answers, so a replica starts (and serves) without Redis; once running, it
	 * subscribes again by itself after an outage, trying every {@code check-interval}.
	 */
	@Bean
	RedisMessageListenerContainer storeListenerContainer(RedisConnectionFactory connectionFactory,
			StoreProperties properties) {
		RedisMessageListenerContainer container = new RedisMessageListenerContainer();
		container.setConnectionFactory(connectionFactory);
		container.setAutoStartup(false);
		container.setRecoveryInterval(properties.checkInterval().toMillis());
		return container;
	}

	@Bean
	RedisStoreMonitor redisStoreMonitor(StringRedisTemplate redis, StoreProperties properties,
			ObjectProvider<BalanceService> balanceService, TaskScheduler taskScheduler,
			RedisMessageListenerContainer storeListenerContainer) {
		return new RedisStoreMonitor(redis, properties, balanceService, taskScheduler, storeListenerContainer);
	}

	/** Shared snapshots, which outlive {@code balances.cache.max-stale} (the time they may be served stale). */
	@Bean
	RedisSharedStore sharedStore(StringRedisTemplate redis, RedisMessageListenerContainer storeListenerContainer,
			JsonMapper jsonMapper, StoreKeys keys, BalancesProperties balancesProperties,
			RedisStoreMonitor monitor) {
		return new RedisSharedStore(redis, storeListenerContainer, jsonMapper, keys,
				balancesProperties.cache().maxStale(), monitor);
	}

	/**
	 * One lock in Redis for the whole deployment, held by the leader and renewed by its
	 * heartbeat; when the leader stops it gives the lock up ({@link LeaderHandover}), when it
	 * dies the lock expires after {@code balances.store.leader-lock-expiry} and another replica
	 * takes it.
	 */
	@Bean(destroyMethod = "destroy")
	RedisLockRegistry storeLockRegistry(RedisConnectionFactory connectionFactory, StoreKeys keys,
			StoreProperties properties) {
		return new RedisLockRegistry(connectionFactory, keys.leader(), properties.leaderLockExpiry());
	}

	@Bean
	LockRegistryLeaderInitiator storeLeaderInitiator(RedisLockRegistry storeLockRegistry, StoreProperties properties) {
		return leaderInitiator(storeLockRegistry, properties);
	}

	@Bean
	LeaderHandover storeLeaderHandover(LockRegistryLeaderInitiator storeLeaderInitiator, StoreProperties properties) {
		return new LeaderHandover(storeLeaderInitiator, properties.leaderLockExpiry());
	}

	static LockRegistryLeaderInitiator leaderInitiator(RedisLockRegistry storeLockRegistry, StoreProperties properties) {
		LockRegistryLeaderInitiator initiator = new LockRegistryLeaderInitiator(storeLockRegistry,
				new DefaultCandidate(UUID.randomUUID().toString(), "refresh"));
		Duration expiry = properties.leaderLockExpiry();
		// Renewed five times per expiry, so a few slow renewals do not lose it; a replica that is
		// not the leader tries again every tenth of it (and its attempt waits as long).
		initiator.setHeartBeatMillis(expiry.toMillis() / 5);
		initiator.setBusyWaitMillis(Math.max(50, expiry.toMillis() / 10));
		return initiator;
	}

	/**
	 * The lanes of every credential, shared. A holder gives a lane up at the latest after the
	 * longest request any provider can make: its {@code http.response-timeout} bounds one
	 * attempt, connection included.
	 */
	@Bean
	RedisRequestLanes redisRequestLanes(StringRedisTemplate redis, StoreKeys keys, RedisStoreMonitor monitor,
			Environment environment) {
		return new RedisRequestLanes(redis, keys, longestResponseTimeout(environment), monitor);
	}

	/**
	 * The longest {@code balances.<provider>.http.response-timeout}, and at least the default
	 * one. Read from the environment by the property's shape, without naming a provider: the
	 * providers' properties are their own, and the providers need the lanes, so their beans
	 * cannot be asked.
	 */
	static Duration longestResponseTimeout(Environment environment) {
		Set<String> providers = new TreeSet<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.stream()
					.filter((name) -> name.getNumberOfElements() > 3 && name.getElement(0, Form.UNIFORM).equals("balances")
							&& name.getElement(2, Form.UNIFORM).equals("http"))
					.forEach((name) -> providers.add(name.getElement(1, Form.UNIFORM)));
			}
		}
		Binder binder = Binder.get(environment);
		return Stream
			.concat(Stream.of(UpstreamHttpProperties.defaults()),
					providers.stream()
						.map((provider) -> binder
							.bind(ConfigurationPropertyName.of("balances").append(provider).append("http"),
									Bindable.of(UpstreamHttpProperties.class))
							.orElseGet(UpstreamHttpProperties::defaults)))
			.map(UpstreamHttpProperties::responseTimeout)
			.max(Comparator.naturalOrder())
			.orElseThrow();
	}

	@Bean
	RedisHistoryStore redisHistoryStore(StringRedisTemplate redis, StoreKeys keys, JsonMapper jsonMapper,
			RedisStoreMonitor monitor, RedisSharedStore sharedStore) {
		return new RedisHistoryStore(redis, keys, jsonMapper, monitor, sharedStore);
	}

	@Bean
	RedisNotificationStateStore redisNotificationStateStore(StringRedisTemplate redis, StoreKeys keys,
			JsonMapper jsonMapper, RedisStoreMonitor monitor) {
		return new RedisNotificationStateStore(redis, keys, jsonMapper, monitor);
	}

	/** Each consumer's rate limit, shared by the replicas (the security filter's budget). */
	@Bean
	RedisConsumerBudget redisConsumerBudget(StringRedisTemplate redis, StoreKeys keys, RedisStoreMonitor monitor) {
		return new RedisConsumerBudget(redis, keys, monitor);
	}

	@Bean
	LeaderWarmUp leaderWarmUp(BalanceService balanceService, BalancesProperties balancesProperties,
			TaskScheduler taskScheduler) {
		return new LeaderWarmUp(balanceService, balancesProperties, (task) -> taskScheduler.schedule(task, Instant.now()));
	}

	@Bean
	Leadership redisLeadership(LockRegistryLeaderInitiator storeLeaderInitiator) {
		return () -> storeLeaderInitiator.getContext().isLeader();
	}

}
