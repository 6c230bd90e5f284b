package dev.klingbalances.model;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/** One account's balance as this service last knew it, with how fresh that knowledge is. */
@Schema(description = "One account's balance, with its freshness. Figures count ACTIVE grants only, and never add two products: see products.")
public record AccountBalance(
		@Schema(description = "Provider name", example = "kling") String provider,
		@Schema(description = "The account's name at its provider (e.g. a Kling account id, a useapi.net e-mail)", example = "team-a") String account,
		@Schema(description = "Unit of every quantity of this account; units of different providers are never added", example = "units") String unit,
		@Schema(description = "Capacity left on ACTIVE grants when the account holds one product (that product's figure, see products); null when it holds several (capacity of one product never pays for another: read products) or when unknown (fetch failed and no good snapshot); 0 when it holds no grant at all", example = "118.0", nullable = true) @Nullable BigDecimal remaining,
		@Schema(description = "The estimate of remaining now, when the account holds one product (that product's, see products); null when it holds several. "
				+ ProductBalance.ESTIMATED_REMAINING, example = "112.5", nullable = true) @Nullable BigDecimal estimatedRemaining,
		@Schema(description = "Capacity ACTIVE grants started with when the account holds one product; null when it holds several or when unknown", example = "200.0", nullable = true) @Nullable BigDecimal total,
		@Schema(description = "One entry per product the account holds (a grant of it that has not expired: active, used up or pending), sorted by product; empty when unknown or when it holds none") List<ProductBalance> products,
		@Schema(description = "Every grant the upstream reported, whatever its status") List<Grant> grants,
		@Schema(description = "Provider-specific facts: useapi.net sessionExpiresAt, maxJobs, nextRefillAt, reportedTotal, tickets") Map<String, Object> details,
		@Schema(description = "When the figures were fetched from the upstream (UTC); null when never", nullable = true) @Nullable Instant fetchedAt,
		@Schema(description = "Until when the figures count as fresh (UTC)", nullable = true) @Nullable Instant freshUntil,
		@Schema(description = "True when the figures are older than the cache TTL or the latest refresh failed") boolean stale,
		@Schema(description = "How far the upstream's own figures may lag reality (Kling: PT12H); null when not known to lag", example = "PT12H", nullable = true) @Nullable Duration dataDelay,
		@Schema(description = "A note worth reading, e.g. why an account has no active grant", nullable = true) @Nullable String remark,
		@Schema(description = "Set when the latest fetch failed or is still running; null when the figures are current", nullable = true) @Nullable AccountError error,
		@Schema(description = "Active grants, and the upstream session, expiring within balances.alerts.expiry-warning (soonest first); empty when none") List<ExpiringSoon> expiringSoon,
		@Schema(description = "The forecast of the account's one product (as in products); all fields null when it holds several products") Forecast forecast) {

	public AccountBalance {
		products = List.copyOf(products);
	}

	/** An account without an estimate (as before estimates existed; tests and examples). */
	public AccountBalance(String provider, String account, String unit, @Nullable BigDecimal remaining,
			@Nullable BigDecimal total, List<ProductBalance> products, List<Grant> grants, Map<String, Object> details,
			@Nullable Instant fetchedAt, @Nullable Instant freshUntil, boolean stale, @Nullable Duration dataDelay,
			@Nullable String remark, @Nullable AccountError error, List<ExpiringSoon> expiringSoon, Forecast forecast) {
		this(provider, account, unit, remaining, null, total, products, grants, details, fetchedAt, freshUntil, stale,
				dataDelay, remark, error, expiringSoon, forecast);
	}

	/** This account's figures of one product, or null when it holds none of it. */
	public @Nullable ProductBalance product(String product) {
		return this.products.stream().filter((entry) -> entry.product().equals(product)).findFirst().orElse(null);
	}

}
