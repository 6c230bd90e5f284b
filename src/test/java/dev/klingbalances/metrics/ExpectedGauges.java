package dev.klingbalances.metrics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.klingbalances.model.ErrorCode;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What the balance gauges must show for one answer of {@code /balances}, worked out from its
 * JSON alone (independently of the code under test): same figures, no sample for an unknown,
 * capacity per product ({@code products[]}, {@code totals[]}), never a sum of two products.
 */
final class ExpectedGauges {

	/** Every metric name the balance gauges render, as Prometheus shows them. */
	static final Set<String> NAMES = Set.of("balances_remaining", "balances_granted", "balances_grant_remaining",
			"balances_grant_expiry_timestamp_seconds", "balances_fetched_timestamp_seconds",
			"balances_checked_timestamp_seconds", "balances_stale",
			"balances_error", "balances_session_expiry_timestamp_seconds", "balances_runs_out_timestamp_seconds",
			"balances_refills_timestamp_seconds", "balances_expiring_unused", "balances_expiring_unused_timestamp_seconds", "balances_burn_per_day",
			"balances_pool_remaining", "balances_pool_runs_out_timestamp_seconds", "balances_low_balance_threshold",
			"balances_estimated_remaining");

	private ExpectedGauges() {
	}

	/**
	 * @param balances the JSON of {@code GET /balances}
	 * @param threshold the low-balance threshold the test configured for (provider, account,
	 * unit), or null
	 */
	static Map<Scrape.Series, BigDecimal> of(JsonNode balances, Function<JsonNode, @Nullable BigDecimal> threshold) {
		Map<Scrape.Series, BigDecimal> expected = new LinkedHashMap<>();
		for (JsonNode account : balances.get("accounts")) {
			Map<String, String> labels = Map.of("provider", account.get("provider").asString(), "account",
					account.get("account").asString(), "unit", account.get("unit").asString());
			// Capacity per product; an account holding no grant holds nothing of each of its provider's products.
			if (account.get("products").isEmpty() && account.get("remaining").isNumber()) {
				for (JsonNode total : balances.get("totals")) {
					if (total.get("provider").asString().equals(account.get("provider").asString())) {
						Map<String, String> ofProduct = with(labels, "product", total.get("product").asString());
						quantity(expected, "balances_remaining", ofProduct, account.get("remaining"));
						quantity(expected, "balances_granted", ofProduct, account.get("total"));
					}
				}
			}
			for (JsonNode product : account.get("products")) {
				Map<String, String> ofProduct = with(labels, "product", product.get("product").asString());
				quantity(expected, "balances_remaining", ofProduct, product.get("remaining"));
				quantity(expected, "balances_granted", ofProduct, product.get("total"));
				quantity(expected, "balances_estimated_remaining", ofProduct, product.get("estimatedRemaining"));
				JsonNode forecast = product.get("forecast");
				moment(expected, "balances_runs_out_timestamp_seconds", ofProduct, forecast.get("runsOutAt"));
				moment(expected, "balances_refills_timestamp_seconds", ofProduct, forecast.get("refillsAt"));
				quantity(expected, "balances_burn_per_day", ofProduct, forecast.get("burnPerDay"));
				JsonNode unused = forecast.get("expiringUnused");
				if (!unused.isNull()) {
					quantity(expected, "balances_expiring_unused", ofProduct, unused.get("amount"));
					moment(expected, "balances_expiring_unused_timestamp_seconds", ofProduct, unused.get("by"));
				}
			}
			for (JsonNode grant : account.get("grants")) {
				String status = grant.get("status").asString();
				if (grant.get("id").isNull() || !(status.equals("ACTIVE") || status.equals("PENDING"))) {
					continue;
				}
				Map<String, String> ofGrant = with(with(labels, "product", grant.get("product").asString()), "grant",
						grant.get("id").asString());
				quantity(expected, "balances_grant_remaining", with(ofGrant, "status", status), grant.get("remaining"));
				moment(expected, "balances_grant_expiry_timestamp_seconds", ofGrant, grant.get("expiresAt"));
			}
			moment(expected, "balances_fetched_timestamp_seconds", labels, account.get("fetchedAt"));
			expected.put(new Scrape.Series("balances_stale", labels),
					account.get("stale").asBoolean() ? BigDecimal.ONE : BigDecimal.ZERO);
			JsonNode error = account.get("error");
			checked(expected, labels, account.get("fetchedAt"), error);
			if (!error.isNull()) {
				String code = error.get("code").asString();
				String failureClass = ErrorCode.valueOf(code).failureClass().name().toLowerCase(Locale.ROOT);
				expected.put(new Scrape.Series("balances_error", with(with(labels, "code", code), "class", failureClass)),
						BigDecimal.ONE);
			}
			moment(expected, "balances_session_expiry_timestamp_seconds", labels,
					account.get("details").path("sessionExpiresAt"));
			BigDecimal limit = threshold.apply(account);
			if (limit != null) {
				expected.put(new Scrape.Series("balances_low_balance_threshold", labels), limit);
			}
		}
		for (JsonNode total : balances.get("totals")) {
			Map<String, String> labels = Map.of("provider", total.get("provider").asString(), "product",
					total.get("product").asString(), "unit", total.get("unit").asString());
			quantity(expected, "balances_pool_remaining", labels, total.get("remaining"));
			moment(expected, "balances_pool_runs_out_timestamp_seconds", labels, total.get("forecast").get("runsOutAt"));
		}
		Map<Scrape.Series, BigDecimal> sorted = new LinkedHashMap<>();
		expected.entrySet()
			.stream()
			.sorted(Comparator.comparing((entry) -> entry.getKey().toString()))
			.forEach((entry) -> sorted.put(entry.getKey(), entry.getValue().stripTrailingZeros()));
		return sorted;
	}

	private static Map<String, String> with(Map<String, String> labels, String key, String value) {
		Map<String, String> more = new LinkedHashMap<>(labels);
		more.put(key, value);
		return more;
	}

	private static void quantity(Map<Scrape.Series, BigDecimal> expected, String name, Map<String, String> labels,
			JsonNode value) {
		if (value != null && value.isNumber()) {
			expected.put(new Scrape.Series(name, labels), value.decimalValue());
		}
	}

	/** The later of the fetch and the latest failure (not a pending fetch), when either is known. */
	private static void checked(Map<Scrape.Series, BigDecimal> expected, Map<String, String> labels, JsonNode fetchedAt,
			JsonNode error) {
		JsonNode failedAt = (!error.isNull() && !error.get("code").asString().equals("PENDING")) ? error.get("occurredAt")
				: null;
		JsonNode later = fetchedAt;
		if (failedAt != null && (!fetchedAt.isString()
				|| Instant.parse(failedAt.asString()).isAfter(Instant.parse(fetchedAt.asString())))) {
			later = failedAt;
		}
		moment(expected, "balances_checked_timestamp_seconds", labels, later);
	}

	/** An instant as decimal seconds since the epoch, exactly. */
	private static void moment(Map<Scrape.Series, BigDecimal> expected, String name, Map<String, String> labels,
			JsonNode value) {
		if (value != null && value.isString()) {
			Instant instant = Instant.parse(value.asString());
			expected.put(new Scrape.Series(name, labels),
					BigDecimal.valueOf(instant.getEpochSecond()).add(BigDecimal.valueOf(instant.getNano(), 9)));
		}
	}

}
