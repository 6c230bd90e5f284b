package dev.klingbalances.store;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health {@code store}, in the {@code upstreams} group (application.yml), never in liveness or
 * readiness: with Redis down a replica still answers from its own copies, so it stays in its
 * Service. Reports the last check ({@code balances.store.check-interval}); it never calls Redis
 * itself, so a slow Redis cannot slow the health endpoint.
 */
final class StoreHealthIndicator implements HealthIndicator {

	private final StoreStatus status;

	StoreHealthIndicator(StoreStatus status) {
		this.status = status;
	}

	@Override
	public Health health() {
		Health.Builder health = this.status.isUp() ? Health.up() : Health.down();
		return health.withDetail("type", this.status.type()).build();
	}

}
