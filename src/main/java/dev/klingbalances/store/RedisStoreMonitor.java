package dev.klingbalances.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.cache.StoreUnavailableException;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.scheduling.TaskScheduler;

/**
 * Checks Redis every {@code balances.store.check-interval} (PING; on a Redis Cluster also that
 * this client knows a node for every slot) and is told of every failed
 * store call in between; starts the write notices' subscription once Redis answers (a replica
 * starts without Redis). When Redis answers again after a failure, this replica re-reads the
 * shared snapshots ({@link BalanceService#resync()}): the write notices sent meanwhile were lost.
 * An outage and the recovery are logged once each.
 */
final class RedisStoreMonitor implements StoreStatus, SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(RedisStoreMonitor.class);

	private final StringRedisTemplate redis;

	private final StoreProperties properties;

	private final ObjectProvider<BalanceService> balanceService;

	private final TaskScheduler scheduler;

	private volatile boolean up = true;

	/** A failure was seen since the last successful check: the next success resynchronises. */
	private volatile boolean failedSinceCheck;

	private volatile @Nullable ScheduledFuture<?> checks;

	/** Run before the snapshots are re-read after an outage (copies that may have missed changes). */
	private final List<Runnable> beforeResync = new CopyOnWriteArrayList<>();

	/** The write notices' subscription, started once Redis answers. */
	private final RedisMessageListenerContainer listeners;

	RedisStoreMonitor(StringRedisTemplate redis, StoreProperties properties, ObjectProvider<BalanceService> balanceService,
			TaskScheduler scheduler, RedisMessageListenerContainer listeners) {
		this.redis = redis;
		this.listeners = listeners;
		this.properties = properties;
		this.balanceService = balanceService;
		this.scheduler = scheduler;
	}

	/**
	 * On a Redis Cluster, answering nodes are not enough: this client must also know a node for
	 * every slot. Its view is refreshed when it does not (a cluster that came back, possibly
	 * after the client last looked at it half-formed: Lettuce's adaptive refreshes are spaced
	 * out, so without this the store would count as up while keyed calls still fail).
	 */
	private void requireEverySlotServed() {
		if (!(this.redis.getRequiredConnectionFactory() instanceof LettuceConnectionFactory lettuce)
				|| !(lettuce.getNativeClient() instanceof RedisClusterClient cluster)) {
			return;
		}
		if (servesEverySlot(cluster.getPartitions())) {
			return;
		}
		cluster.refreshPartitions();
		if (!servesEverySlot(cluster.getPartitions())) {
			throw new IllegalStateException("the Redis Cluster does not serve every slot yet");
		}
	}

	private static boolean servesEverySlot(Partitions partitions) {
		for (int slot = 0; slot < SlotHash.SLOT_COUNT; slot++) {
			if (partitions.getPartitionBySlot(slot) == null) {
				return false;
			}
		}
		return true;
	}

	@Override
	public boolean isUp() {
		return this.up;
	}

	@Override
	public String type() {
		return "redis";
	}

	void beforeResync(Runnable hook) {
		this.beforeResync.add(hook);
	}

	/** A store call failed: Redis counts as down until a check succeeds. */
	void failed(RuntimeException failure) {
		this.failedSinceCheck = true;
		if (this.up) {
			this.up = false;
			// The cause's class only: a Lettuce message names the address, never worth more here.
			logger.warn("Redis (the shared store) cannot be reached ({}); answering from this replica's copies, "
					+ "no upstream calls until it is back", failure.getClass().getSimpleName());
		}
	}

	/**
	 * Runs a Redis call; a failure is the store's unavailability: noted here and thrown as a
	 * {@link StoreUnavailableException}.
	 */
	<T> T call(Supplier<T> operation) {
		try {
			return operation.get();
		}
		catch (RuntimeException ex) {
			failed(ex);
			throw new StoreUnavailableException("Redis could not be reached", ex);
		}
	}

	/** Asks Redis now; after a failure, a success re-reads the shared snapshots. */
	void check() {
		try {
			this.redis.execute(RedisConnection::ping, true);
			requireEverySlotServed();
		}
		catch (RuntimeException ex) {
			failed(ex);
			return;
		}
		if (!this.listeners.isRunning()) {
			try {
				this.listeners.start();
			}
			catch (RuntimeException ex) {
				// Not subscribed: the notices missed meanwhile are made up for by a resync once it is.
				failed(ex);
				return;
			}
		}
		boolean recovered = this.failedSinceCheck || !this.up;
		this.failedSinceCheck = false;
		this.up = true;
		if (recovered) {
			logger.info("Redis (the shared store) answers again; re-reading the shared snapshots");
			this.beforeResync.forEach(Runnable::run);
			this.balanceService.ifAvailable(BalanceService::resync);
		}
	}

	@Override
	public void start() {
		check();
		this.checks = this.scheduler.scheduleWithFixedDelay(this::check, this.properties.checkInterval());
	}

	@Override
	public void stop() {
		ScheduledFuture<?> running = this.checks;
		if (running != null) {
			running.cancel(false);
		}
		this.checks = null;
		if (this.listeners.isRunning()) {
			this.listeners.stop();
		}
	}

	@Override
	public boolean isRunning() {
		return this.checks != null;
	}

}
