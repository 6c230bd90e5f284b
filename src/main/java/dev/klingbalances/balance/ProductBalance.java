package dev.klingbalances.balance;

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
		@Schema(description = "The product (kling: video, image, other; useapi: credits)", example = "video") String product,
		@Schema(description = "Capacity left on this product's ACTIVE grants; null when a quantity is unknown", example = "118.0", nullable = true) @Nullable BigDecimal remaining,
		@Schema(description = "Capacity this product's ACTIVE grants started with; null when unknown", example = "200.0", nullable = true) @Nullable BigDecimal total,
		@Schema(description = "Burn rate and first run-out of this product on this account") Forecast forecast,
		@Schema(description = "This product's ACTIVE grants expiring within balances.alerts.expiry-warning (soonest first)") List<ExpiringSoon> expiringSoon) {

	public ProductBalance {
		expiringSoon = List.copyOf(expiringSoon);
	}

}
