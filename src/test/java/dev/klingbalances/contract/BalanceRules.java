package dev.klingbalances.contract;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The rules every balances answer follows, checked on its JSON: on the running service's answers
 * (so the rules are the service's, not a wish) and on every example the OpenAPI document shows
 * (so no example shows what the service never answers, like a failure as a zero).
 * <ul>
 * <li>An account with an error is stale (last good figures) or has no figures.</li>
 * <li>An account without a snapshot ({@code fetchedAt} null) has no figures, products or grants;
 * with one, it lists one product per product of its grants that have not expired, whose figures are the sums over its
 * ACTIVE grants of that product (null when one of them is unknown); the account's own figures
 * are its one product's, null with several (no figure adds two products), the (zero) sums
 * without any.</li>
 * <li>A total sums one product over its provider's accounts with known figures of it, and
 * {@code accounts} counts them; with none, it is null, unless the provider's list was read and
 * every account is known (then it is a true zero, and complete). Every product an account holds
 * has its total, and no provider and product has two.</li>
 * <li>A total is complete when the provider's list was read, every account has figures and every
 * holder of the product has known figures of it; stale when a contributing account is.</li>
 * <li>An answer is complete when no account and no provider has an error.</li>
 * </ul>
 */
final class BalanceRules {

	private BalanceRules() {
	}

	/** What is wrong with a {@code BalancesResponse}; empty when nothing is. */
	static List<String> ofResponse(JsonNode response) {
		List<String> violations = new ArrayList<>();
		Map<String, List<JsonNode>> accountsByProvider = new LinkedHashMap<>();
		boolean anyError = false;
		for (JsonNode account : response.path("accounts")) {
			violations.addAll(ofAccount(account));
			accountsByProvider.computeIfAbsent(account.path("provider").asString(), (name) -> new ArrayList<>())
				.add(account);
			anyError |= !none(account.path("error"));
		}
		Set<String> unlisted = new LinkedHashSet<>();
		response.path("providerErrors").forEach((error) -> unlisted.add(error.path("provider").asString()));
		Set<String> totalled = new LinkedHashSet<>();
		Set<String> providersTotalled = new LinkedHashSet<>();
		for (JsonNode total : response.path("totals")) {
			String provider = total.path("provider").asString();
			String product = total.path("product").asString();
			if (!totalled.add(provider + "/" + product)) {
				violations.add("two totals for provider " + provider + " and product " + product);
			}
			providersTotalled.add(provider);
			violations.addAll(ofTotal(total, accountsByProvider.getOrDefault(provider, List.of()),
					!unlisted.contains(provider)));
		}
		Set<String> expected = new LinkedHashSet<>(accountsByProvider.keySet());
		expected.addAll(unlisted);
		if (!providersTotalled.containsAll(expected)) {
			violations.add("providers " + expected + " but totals for " + providersTotalled);
		}
		accountsByProvider.forEach((provider, accounts) -> accounts.forEach((account) -> account.path("products")
			.forEach((held) -> {
				if (!totalled.contains(provider + "/" + held.path("product").asString())) {
					violations.add(provider + "/" + account.path("account").asString() + " holds "
							+ held.path("product") + " but there is no total of it");
				}
			})));
		boolean complete = !anyError && unlisted.isEmpty();
		if (response.path("complete").asBoolean() != complete) {
			violations.add("complete is " + response.path("complete") + " but should be " + complete
					+ " (an account or provider error makes an answer incomplete)");
		}
		return violations;
	}

	/** What is wrong with an {@code AccountBalance}; empty when nothing is. */
	static List<String> ofAccount(JsonNode account) {
		List<String> violations = new ArrayList<>();
		String name = account.path("provider").asString() + "/" + account.path("account").asString();
		boolean hasFigures = !none(account.path("remaining")) || !none(account.path("total"))
				|| account.path("products").valueStream().anyMatch((product) -> !none(product.path("remaining")));
		if (!none(account.path("error")) && !account.path("stale").asBoolean() && hasFigures) {
			violations.add(name + ": has an error but figures that are not marked stale");
		}
		if (none(account.path("fetchedAt"))) {
			if (hasFigures || !account.path("grants").isEmpty() || !account.path("products").isEmpty()) {
				violations.add(name + ": never fetched, yet has figures, products or grants");
			}
			return violations;
		}
		Set<String> held = new TreeSet<>();
		account.path("grants").forEach((grant) -> {
			if (grant.path("product").asString("").isEmpty()) {
				violations.add(name + ": a grant without product");
			}
			if (!"EXPIRED".equals(grant.path("status").asString())) {
				held.add(grant.path("product").asString());
			}
		});
		List<String> listed = account.path("products").valueStream().map((product) -> product.path("product").asString())
			.toList();
		if (!listed.equals(List.copyOf(held))) {
			violations.add(name + ": products " + listed + " but its grants are of " + held);
		}
		for (JsonNode product : account.path("products")) {
			List<JsonNode> active = account.path("grants").valueStream()
				.filter((grant) -> "ACTIVE".equals(grant.path("status").asString()))
				.filter((grant) -> grant.path("product").asString().equals(product.path("product").asString()))
				.toList();
			for (String figure : List.of("remaining", "total")) {
				BigDecimal expected = sum(active.stream().map((grant) -> grant.path(figure)).toList());
				if (!same(expected, product.path(figure))) {
					violations.add(name + ": " + product.path("product").asString() + " " + figure + " is "
							+ product.path(figure) + " but its ACTIVE grants sum to " + expected);
				}
			}
		}
		for (String figure : List.of("remaining", "total")) {
			BigDecimal expected;
			if (listed.isEmpty()) {
				expected = BigDecimal.ZERO;
			}
			else if (listed.size() == 1) {
				JsonNode only = account.path("products").get(0).path(figure);
				expected = only.isNumber() ? only.decimalValue() : null;
			}
			else {
				// Several products: no figure adds them up.
				expected = null;
			}
			if (!same(expected, account.path(figure))) {
				violations.add(name + ": " + figure + " is " + account.path(figure) + " but should be " + expected);
			}
		}
		return violations;
	}

	private static List<String> ofTotal(JsonNode total, List<JsonNode> accounts, boolean listed) {
		List<String> violations = new ArrayList<>();
		String product = total.path("product").asString();
		String provider = total.path("provider").asString() + "/" + product;
		List<JsonNode> holders = accounts.stream().map((account) -> held(account, product)).filter((held) -> held != null)
			.toList();
		List<JsonNode> known = holders.stream()
			.filter((held) -> !none(held.path("remaining")) && !none(held.path("total")))
			.toList();
		boolean anyUnknown = accounts.stream().anyMatch((account) -> none(account.path("fetchedAt")));
		if (total.path("accounts").asInt(-1) != known.size()) {
			violations.add(provider + " total: accounts is " + total.path("accounts") + " but " + known.size()
					+ " account(s) have known figures of it");
		}
		boolean complete = listed && known.size() == holders.size() && !anyUnknown;
		if (total.path("complete").asBoolean() != complete) {
			violations.add(provider + " total: complete is " + total.path("complete") + " but should be " + complete);
		}
		boolean stale = accounts.stream().anyMatch((account) -> account.path("stale").asBoolean()
				&& held(account, product) != null && known.contains(held(account, product)));
		if (total.path("stale").asBoolean() != stale) {
			violations.add(provider + " total: stale is " + total.path("stale") + " but should be " + stale);
		}
		for (JsonNode account : accounts) {
			if (!account.path("unit").asString().equals(total.path("unit").asString())) {
				violations.add(provider + " total: unit " + total.path("unit") + " but an account has "
						+ account.path("unit"));
			}
		}
		for (String figure : List.of("remaining", "total")) {
			// Nothing known is no figure, not a zero; unless there is truly nothing: every account read, none holds it.
			BigDecimal expected = (known.isEmpty() && !complete) ? null
					: sum(known.stream().map((held) -> held.path(figure)).toList());
			if (!same(expected, total.path(figure))) {
				violations.add(provider + " total: " + figure + " is " + total.path(figure) + " but should be "
						+ expected);
			}
		}
		return violations;
	}

	/** The account's entry of a product, or null when it holds none. */
	private static @Nullable JsonNode held(JsonNode account, String product) {
		return account.path("products").valueStream()
			.filter((entry) -> entry.path("product").asString().equals(product))
			.findFirst()
			.orElse(null);
	}

	/** The sum, or null when a value is unknown: an unknown never counts as zero. */
	private static @Nullable BigDecimal sum(List<JsonNode> values) {
		BigDecimal sum = BigDecimal.ZERO;
		for (JsonNode value : values) {
			if (!value.isNumber()) {
				return null;
			}
			sum = sum.add(value.decimalValue());
		}
		return sum;
	}

	/** Null or left out: schema validation reports a left-out member, the rules read it as null. */
	private static boolean none(JsonNode value) {
		return value.isNull() || value.isMissingNode();
	}

	private static boolean same(@Nullable BigDecimal expected, JsonNode actual) {
		if (expected == null) {
			return none(actual);
		}
		return actual.isNumber() && actual.decimalValue().compareTo(expected) == 0;
	}

}
