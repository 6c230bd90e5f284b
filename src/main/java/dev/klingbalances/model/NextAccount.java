package dev.klingbalances.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@code GET /balances/next}: the account to spend next for one product, and
 * every account of that product with why it was ranked where it was or left out.
 */
@Schema(description = """
		The account to spend next for a product: among the accounts with at least `need` of it \
		(estimatedRemaining where there is one, else remaining), without an error, with figures no \
		older than the provider's data delay plus one cache TTL, and with a free job slot where \
		that is known, the one whose usable capacity of the product expires first (so packs are \
		used before they lapse), then the one with more estimated remaining, then by name.""")
public record NextAccount(@Schema(description = "Provider of the account to use", example = "kling") String provider,
		@Schema(description = "The account to use", example = "team-a") String account,
		@Schema(description = "The product asked for", example = "video") String product,
		@Schema(description = "Unit of need and every quantity", example = "units") String unit,
		@Schema(description = "The capacity asked for", example = "20") BigDecimal need,
		@Schema(description = "The account's reported remaining of the product", example = "118.0") BigDecimal remaining,
		@Schema(description = "The account's estimated remaining of the product now; null without a burn rate", example = "114.75", nullable = true) @Nullable BigDecimal estimatedRemaining,
		@Schema(description = "The grant the job would draw from: the account's ACTIVE grant of the product with capacity that expires first") DrawsFrom drawsFrom,
		@Schema(description = "Why this account, for humans", example = "Its video capacity expires first (2026-12-20T00:00:00Z) among 2 accounts with at least 20 left.") String reason,
		@Schema(description = "Every account of the product (and every account whose products are unknown), in the order the policy ranks them; the excluded ones last, with their reason") List<Candidate> candidates) {

	public NextAccount {
		candidates = List.copyOf(candidates);
	}

	/** The grant a job would draw from. */
	@Schema(name = "DrawsFrom", description = "The grant a job would draw from")
	public record DrawsFrom(@Schema(description = "Upstream id of the grant", example = "509f3fd3d4ab4a3f9eec5db27aa44f27", nullable = true) @Nullable String grant,
			@Schema(description = "Upstream name of the grant", example = "Video Generation - 200 units", nullable = true) @Nullable String name,
			@Schema(description = "When it expires; null when it does not", nullable = true) @Nullable Instant expiresAt) {
	}

	/** Why an account is not a candidate. */
	@Schema(name = "Exclusion", description = """
			Why an account was left out: ERROR (its latest fetch failed or is still running, any error code), \
			OUTDATED (figures older than the provider's data delay plus one cache TTL), NO_FIGURES (no known \
			figure of the product), NO_JOB_SLOT (the provider reports no free job slot), BELOW_NEED (less than \
			need left, by the estimate where there is one)""")
	public enum Exclusion {

		ERROR, OUTDATED, NO_FIGURES, NO_JOB_SLOT, BELOW_NEED

	}

	/** One account as the policy saw it. */
	@Schema(name = "Candidate", description = "One account as the picker saw it: its rank, or why it was left out")
	public record Candidate(@Schema(description = "Provider name", example = "kling") String provider,
			@Schema(description = "Account", example = "team-a") String account,
			@Schema(description = "1 for the account to use next, 2 for the one after, ...; null when excluded", example = "1", nullable = true) @Nullable Integer rank,
			@Schema(description = "Why it was left out; null when ranked", nullable = true) @Nullable Exclusion excluded,
			@Schema(description = "Reported remaining of the product; null when unknown", example = "118.0", nullable = true) @Nullable BigDecimal remaining,
			@Schema(description = "Estimated remaining of the product now; null without a burn rate", example = "114.75", nullable = true) @Nullable BigDecimal estimatedRemaining,
			@Schema(description = "The grant a job would draw from; null when it holds no usable grant of the product", nullable = true) @Nullable DrawsFrom drawsFrom,
			@Schema(description = "Why it ranks here, or why it was left out, for humans", example = "Its video capacity expires first (2026-12-20T00:00:00Z).") String reason) {
	}

}
