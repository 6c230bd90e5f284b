package dev.klingbalances.store;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.support.TaskExecutorAdapter;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

/**
 * Makes a stopping leader give its lock back before Redis' connection closes, so another
 * replica takes over at once instead of after {@code balances.store.leader-lock-expiry}.
 * <p>
 * The initiator's election runs on a thread of its own, and its {@code stop()} only interrupts
 * it: the unlock happens afterwards on that thread, and used to race with the connection
 * factory's own shutdown ({@code LettuceConnectionFactory is STOPPING}), leaving the lock to
 * expire. Stopped just before the initiator would be, this stops it and waits, at most an
 * expiry, for its election thread to have unlocked and ended.
 */
final class LeaderHandover implements SmartLifecycle {

	private final LockRegistryLeaderInitiator initiator;

	private final ExecutorService election = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "store-leader-election");
		thread.setDaemon(true);
		return thread;
	});

	private final Duration wait;

	private volatile boolean running;

	LeaderHandover(LockRegistryLeaderInitiator initiator, Duration wait) {
		this.initiator = initiator;
		this.wait = wait;
		initiator.setTaskExecutor(new TaskExecutorAdapter(this.election));
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.initiator.stop();
		this.election.shutdown();
		try {
			this.election.awaitTermination(this.wait.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stopped before the initiator (a higher phase stops first), started after it. */
	@Override
	public int getPhase() {
		return this.initiator.getPhase() + 1;
	}

}
