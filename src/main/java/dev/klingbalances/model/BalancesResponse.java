package dev.klingbalances.model;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** The answer of {@code GET /balances}. */
@Schema(description = "Balances of every account, normalized, with totals per provider and product")
public record BalancesResponse(@Schema(description = "When this answer was served (UTC)") Instant generatedAt,
		@Schema(description = "False when any account or provider has an error: then some figures are stale or missing") boolean complete,
		@Schema(description = "Every account, sorted by provider and account; failed ones included with `error` set") List<AccountBalance> accounts,
		@Schema(description = "One total per provider and product (every product the provider can report, and any other an account holds), in that provider's unit; products are never added together") List<ProviderTotal> totals,
		@Schema(description = "Providers whose account list could not be read") List<ProviderError> providerErrors) {

	/**
	 * The same answer without its timestamp: what the ETag is computed over, and the bytes the
	 * timestamp of each answer is spliced into ({@code BalanceView}). Never served as it is.
	 */
	public BalancesResponse withoutTimestamp() {
		return new BalancesResponse(null, this.complete, this.accounts, this.totals, this.providerErrors);
	}

}
