package dev.klingbalances.metrics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.provider.BalanceSnapshot;
import io.micrometer.core.instrument.Tags;
import org.jspecify.annotations.Nullable;

/**
 * The gauge series of one answer of {@code /balances}: exactly its figures, and nothing for a
 * figure it does not know (an unknown is never a 0 nor a NaN, so no alert reads it as empty).
 * Labels come only from the configured accounts, their grants, the providers' products and fixed
 * enums. Every figure of capacity carries a {@code product} label: capacity of one product never
 * pays for another, so no series adds two.
 */
final class BalanceRows {

	private BalanceRows() {
	}

	static Map<GaugeRow, Double> of(BalancesResponse response, BalancesProperties.Alerts alerts) {
		Map<GaugeRow, Double> rows = new LinkedHashMap<>();
		for (AccountBalance account : response.accounts()) {
			List<String> providerProducts = response.totals()
				.stream()
				.filter((total) -> total.provider().equals(account.provider()))
				.map(ProviderTotal::product)
				.toList();
			addAccount(rows, account, providerProducts, alerts);
		}
		for (ProviderTotal total : response.totals()) {
			Tags tags = Tags.of("provider", total.provider(), "product", total.product(), "unit", total.unit());
			put(rows, BalanceGauge.POOL_REMAINING, tags, total.remaining());
			if (total.forecast() != null) {
				put(rows, BalanceGauge.POOL_RUNS_OUT, tags, total.forecast().runsOutAt());
			}
		}
		return rows;
	}

	private static void addAccount(Map<GaugeRow, Double> rows, AccountBalance account, List<String> providerProducts,
			BalancesProperties.Alerts alerts) {
		Tags tags = Tags.of("provider", account.provider(), "account", account.account(), "unit", account.unit());
		// Capacity per product, never added up across products. An account holding no grant at all
		// (known figures, no product) holds nothing of each of its provider's products.
		if (account.products().isEmpty() && account.remaining() != null) {
			for (String product : providerProducts) {
				put(rows, BalanceGauge.REMAINING, tags.and("product", product), account.remaining());
				put(rows, BalanceGauge.GRANTED, tags.and("product", product), account.total());
			}
		}
		for (ProductBalance product : account.products()) {
			Tags ofProduct = tags.and("product", product.product());
			put(rows, BalanceGauge.REMAINING, ofProduct, product.remaining());
			put(rows, BalanceGauge.GRANTED, ofProduct, product.total());
			put(rows, BalanceGauge.ESTIMATED_REMAINING, ofProduct, product.estimatedRemaining());
			Forecast forecast = product.forecast();
			if (forecast != null) {
				put(rows, BalanceGauge.RUNS_OUT, ofProduct, forecast.runsOutAt());
				put(rows, BalanceGauge.REFILLS, ofProduct, forecast.refillsAt());
				put(rows, BalanceGauge.BURN_PER_DAY, ofProduct, forecast.burnPerDay());
				if (forecast.expiringUnused() != null) {
					put(rows, BalanceGauge.EXPIRING_UNUSED, ofProduct, forecast.expiringUnused().amount());
					put(rows, BalanceGauge.EXPIRING_UNUSED_BY, ofProduct, forecast.expiringUnused().by());
				}
			}
		}
		for (Grant grant : account.grants()) {
			if (grant.id() == null || (grant.status() != GrantStatus.ACTIVE && grant.status() != GrantStatus.PENDING)) {
				continue;
			}
			Tags ofGrant = tags.and("product", grant.product()).and("grant", grant.id());
			// An upstream listing one id twice: the first listing wins, as a series can hold one value.
			putIfAbsent(rows, BalanceGauge.GRANT_REMAINING, ofGrant.and("status", grant.status().name()), grant.remaining());
			putIfAbsent(rows, BalanceGauge.GRANT_EXPIRY, ofGrant, grant.expiresAt());
		}
		put(rows, BalanceGauge.FETCHED, tags, account.fetchedAt());
		AccountError error = account.error();
		put(rows, BalanceGauge.CHECKED, tags, checkedAt(account.fetchedAt(), error));
		rows.put(new GaugeRow(BalanceGauge.STALE, tags), account.stale() ? 1.0 : 0.0);
		if (error != null) {
			rows.put(new GaugeRow(BalanceGauge.ERROR, tags.and("code", error.code().name(), "class",
					error.code().failureClass().name().toLowerCase(Locale.ROOT))), 1.0);
		}
		if (account.details().get(BalanceSnapshot.SESSION_EXPIRES_AT) instanceof Instant session) {
			put(rows, BalanceGauge.SESSION_EXPIRY, tags, session);
		}
		put(rows, BalanceGauge.LOW_BALANCE_THRESHOLD, tags,
				alerts.lowBalanceOf(account.provider(), account.account(), account.unit()));
	}

	/**
	 * The later of the figures' fetch and the latest failure; a fetch still pending tells
	 * nothing new. Null when neither is known.
	 */
	static @Nullable Instant checkedAt(@Nullable Instant fetchedAt, @Nullable AccountError error) {
		Instant failed = (error != null && error.code() != ErrorCode.PENDING) ? error.occurredAt() : null;
		if (fetchedAt == null || failed == null) {
			return (fetchedAt != null) ? fetchedAt : failed;
		}
		return failed.isAfter(fetchedAt) ? failed : fetchedAt;
	}

	private static void put(Map<GaugeRow, Double> rows, BalanceGauge gauge, Tags tags, @Nullable Object value) {
		Double number = number(value);
		if (number != null) {
			rows.put(new GaugeRow(gauge, tags), number);
		}
	}

	private static void putIfAbsent(Map<GaugeRow, Double> rows, BalanceGauge gauge, Tags tags, @Nullable Object value) {
		Double number = number(value);
		if (number != null) {
			rows.putIfAbsent(new GaugeRow(gauge, tags), number);
		}
	}

	/** A quantity as is; a moment as seconds since the epoch (the nearest double to the exact value). */
	private static @Nullable Double number(@Nullable Object value) {
		if (value instanceof BigDecimal quantity) {
			return quantity.doubleValue();
		}
		if (value instanceof Instant instant) {
			return BigDecimal.valueOf(instant.getEpochSecond()).add(BigDecimal.valueOf(instant.getNano(), 9)).doubleValue();
		}
		return null;
	}

}
