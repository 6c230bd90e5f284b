package dev.klingbalances.model;

import java.math.BigDecimal;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/** Sum of one product over one provider's accounts, in that provider's unit: a pool. */
@Schema(description = "Sum of one product over one provider's accounts with known figures, in that provider's unit (a pool; products are never added together)")
public record ProviderTotal(@Schema(description = "Provider name", example = "kling") String provider,
		@Schema(description = "The product summed", example = "video") String product,
		@Schema(description = "Unit of both sums; never mixed across providers", example = "units") String unit,
		@Schema(description = "Sum of remaining over the accounts with known figures; null when no account has known figures although some exist or the account list could not be read (never a zero for a failure)", example = "118.0") @Nullable BigDecimal remaining,
		@Schema(description = "Sum of the accounts' estimatedRemaining (remaining where an account has no estimate because it has nothing to burn); null when the pool has no burn rate (an account with capacity has none yet) or remaining is null. "
				+ "An estimate beside remaining, never instead of it", example = "112.5", nullable = true) @Nullable BigDecimal estimatedRemaining,
		@Schema(description = "Sum of total over the accounts with known figures; null exactly when remaining is", example = "200.0") @Nullable BigDecimal total,
		@Schema(description = "How many accounts holding this product contributed", example = "1") int accounts,
		@Schema(description = "False when some account of this provider has no known figures (it may hold this product), so the sum may be too low") boolean complete,
		@Schema(description = "True when some contributing figures are stale") boolean stale,
		@Schema(description = "The pool's forecast for this product: every account's grants of it used at the sum of their burn rates; null fields while an account with capacity has no rate yet") Forecast forecast) {

	/** A total without an estimate (as before estimates existed; tests and examples). */
	public ProviderTotal(String provider, String product, String unit, @Nullable BigDecimal remaining,
			@Nullable BigDecimal total, int accounts, boolean complete, boolean stale, Forecast forecast) {
		this(provider, product, unit, remaining, null, total, accounts, complete, stale, forecast);
	}

}
