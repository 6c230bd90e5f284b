package dev.klingbalances.metrics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.Tags;
import org.jspecify.annotations.Nullable;

import dev.klingbalances.balance.AccountBalance;
import dev.klingbalances.balance.AccountError;
import dev.klingbalances.balance.BalanceSnapshot;
import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.balance.BalancesResponse;
import dev.klingbalances.balance.Forecast;
import dev.klingbalances.balance.Grant;
import dev.klingbalances.balance.ProductBalance;
import dev.klingbalances.balance.GrantStatus;
import dev.klingbalances.balance.ProviderTotal;

/**
 * The gauge series of one answer of {@code /balances}: exactly its figures, and nothing for a
 * figure it does not know (an unknown is never a 0 nor a NaN, so no alert reads it as empty).
 * Labels come only from the configured accounts, their grants and fixed enums.
 */
final class BalanceRows {

	private BalanceRows() {
	}

	static Map<GaugeRow, Double> of(BalancesResponse response, BalancesProperties.Alerts alerts) {
		Map<GaugeRow, Double> rows = new LinkedHashMap<>();
		for (AccountBalance account : response.accounts()) {
			addAccount(rows, account, alerts);
		}
		for (ProviderTotal total : response.totals()) {
			Tags tags = Tags.of("provider", total.provider(), "unit", total.unit());
			put(rows, BalanceGauge.POOL_REMAINING, tags, total.remaining());
			if (total.forecast() != null) {
				put(rows, BalanceGauge.POOL_RUNS_OUT, tags, total.forecast().runsOutAt());
			}
		}
		return rows;
	}

	private static void addAccount(Map<GaugeRow, Double> rows, AccountBalance account, BalancesProperties.Alerts alerts) {
		Tags tags = Tags.of("provider", account.provider(), "account", account.account(), "unit", account.unit());
		put(rows, BalanceGauge.REMAINING, tags, account.remaining());
		put(rows, BalanceGauge.GRANTED, tags, account.total());
		for (ProductBalance product : account.products()) {
			put(rows, BalanceGauge.ESTIMATED_REMAINING, tags.and("product", product.product()), product.estimatedRemaining());
		}
		for (Grant grant : account.grants()) {
			if (grant.id() == null || (grant.status() != GrantStatus.ACTIVE && grant.status() != GrantStatus.PENDING)) {
				continue;
			}
			Tags ofGrant = tags.and("grant", grant.id());
			// An upstream listing one id twice: the first listing wins, as a series can hold one value.
			putIfAbsent(rows, BalanceGauge.GRANT_REMAINING, ofGrant.and("status", grant.status().name()), grant.remaining());
			putIfAbsent(rows, BalanceGauge.GRANT_EXPIRY, ofGrant, grant.expiresAt());
		}
		put(rows, BalanceGauge.FETCHED, tags, account.fetchedAt());
		rows.put(new GaugeRow(BalanceGauge.STALE, tags), account.stale() ? 1.0 : 0.0);
		AccountError error = account.error();
		if (error != null) {
			rows.put(new GaugeRow(BalanceGauge.ERROR, tags.and("code", error.code().name(), "class",
					error.code().failureClass().name().toLowerCase(Locale.ROOT))), 1.0);
		}
		if (account.details().get(BalanceSnapshot.SESSION_EXPIRES_AT) instanceof Instant session) {
			put(rows, BalanceGauge.SESSION_EXPIRY, tags, session);
		}
		Forecast forecast = account.forecast();
		if (forecast != null) {
			put(rows, BalanceGauge.RUNS_OUT, tags, forecast.runsOutAt());
			put(rows, BalanceGauge.BURN_PER_DAY, tags, forecast.burnPerDay());
			if (forecast.expiringUnused() != null) {
				put(rows, BalanceGauge.EXPIRING_UNUSED, tags, forecast.expiringUnused().amount());
				put(rows, BalanceGauge.EXPIRING_UNUSED_BY, tags, forecast.expiringUnused().by());
			}
		}
		put(rows, BalanceGauge.LOW_BALANCE_THRESHOLD, tags,
				alerts.lowBalanceOf(account.provider(), account.account(), account.unit()));
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
