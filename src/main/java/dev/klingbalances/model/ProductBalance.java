package dev.klingbalances.model;

import java.math.BigDecimal;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * One product's figures on one account: what its ACTIVE grants of that product hold, where it
 * is heading, and what of it expires soon. Capacity of one product never pays for another.
 */
@Schema(description = "One product's figures on an account (its ACTIVE grants of that product), with its own forecast")
public record ProductBalance(
		@Schema(description = "The product", example = "video") String product,
		@Schema(description = "Capacity left on this product's ACTIVE grants; null when a quantity is unknown", example = "118.0", nullable = true) @Nullable BigDecimal remaining,
		@Schema(description = ESTIMATED_REMAINING, example = "112.5", nullable = true) @Nullable BigDecimal estimatedRemaining,
		@Schema(description = "Capacity this product's ACTIVE grants started with; null when unknown", example = "200.0", nullable = true) @Nullable BigDecimal total,
		@Schema(description = "Burn rate and first run-out of this product on this account") Forecast forecast,
		@Schema(description = "This product's ACTIVE grants expiring within balances.alerts.expiry-warning (soonest first)") List<ExpiringSoon> expiringSoon) {

	/** What {@code estimatedRemaining} means, wherever it appears. */
	static final String ESTIMATED_REMAINING = "What is probably left now: remaining minus burnPerDay times the time since the moment the "
			+ "figures describe (fetchedAt minus dataDelay), floored at 0, as of the start of the current "
			+ "balances.forecast.estimate-step (1 minute by default). An estimate beside remaining, never instead of it: "
			+ "null without a burn rate (or when remaining is null)";

	public ProductBalance {
		expiringSoon = List.copyOf(expiringSoon);
	}

	/** Figures without an estimate (as before estimates existed; tests and examples). */
	public ProductBalance(String product, @Nullable BigDecimal remaining, @Nullable BigDecimal total, Forecast forecast,
			List<ExpiringSoon> expiringSoon) {
		this(product, remaining, null, total, forecast, expiringSoon);
	}

}
