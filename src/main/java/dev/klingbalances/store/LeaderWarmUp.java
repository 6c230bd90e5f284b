package dev.klingbalances.store;

import java.util.concurrent.Executor;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.BalancesProperties;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.integration.leader.event.OnGrantedEvent;

/**
 * A replica that becomes the leader once the service is ready (its predecessor stopped or died,
 * or the election ended after start-up) runs the warm-up then, as the first leader does at
 * start-up: with {@code keep-warm=requested} the sweep alone would leave unrequested accounts
 * cold. Accounts another replica fetched recently are taken from the store, not fetched again.
 */
final class LeaderWarmUp {

	private final BalanceService service;

	private final BalancesProperties properties;

	private final Executor executor;

	private volatile boolean ready;

	LeaderWarmUp(BalanceService service, BalancesProperties properties, Executor executor) {
		this.service = service;
		this.properties = properties;
		this.executor = executor;
	}

	/** Before this, the start-up listener warms up if this replica leads by then. */
	@EventListener(ApplicationReadyEvent.class)
	void ready() {
		this.ready = true;
	}

	@EventListener(OnGrantedEvent.class)
	void granted() {
		if (this.ready && this.properties.cache().warmUp()) {
			// Not on the election's thread: it must keep renewing the lock.
			this.executor.execute(this.service::warmUp);
		}
	}

}
