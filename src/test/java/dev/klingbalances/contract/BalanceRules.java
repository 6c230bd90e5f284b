package dev.klingbalances.contract;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The rules every balances answer follows, checked on its JSON: on the running service's answers
 * (so the rules are the service's, not a wish) and on every example the OpenAPI document shows
 * (so no example shows what the service never answers, like a failure as a zero).
 * <ul>
 * <li>An account with an error is stale (last good figures) or has no figures.</li>
 * <li>An account without a snapshot ({@code fetchedAt} null) has no figures and no grants; with
 * one, its figures are the sums over its ACTIVE grants, null when one of them is unknown.</li>
 * <li>A total sums its provider's accounts with known figures, and {@code accounts} counts them;
 * with none, it is null, unless the provider's list was read and has no account at all (then
 * it is a true zero, and complete).</li>
 * <li>A total is complete when the provider's list was read and every account has figures; stale
 * when a contributing account is.</li>
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
		for (JsonNode total : response.path("totals")) {
			String provider = total.path("provider").asString();
			if (!totalled.add(provider)) {
				violations.add("two totals for provider " + provider);
			}
			violations.addAll(ofTotal(total, accountsByProvider.getOrDefault(provider, List.of()),
					!unlisted.contains(provider)));
		}
		Set<String> expected = new LinkedHashSet<>(accountsByProvider.keySet());
		expected.addAll(unlisted);
		if (!totalled.containsAll(expected)) {
			violations.add("providers " + expected + " but totals for " + totalled);
		}
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
		boolean hasFigures = !none(account.path("remaining")) || !none(account.path("total"));
		if (!none(account.path("error")) && !account.path("stale").asBoolean() && hasFigures) {
			violations.add(name + ": has an error but figures that are not marked stale");
		}
		if (none(account.path("fetchedAt"))) {
			if (hasFigures || !account.path("grants").isEmpty()) {
				violations.add(name + ": never fetched, yet has figures or grants");
			}
			return violations;
		}
		List<JsonNode> active = new ArrayList<>();
		account.path("grants").forEach((grant) -> {
			if ("ACTIVE".equals(grant.path("status").asString())) {
				active.add(grant);
			}
		});
		for (String figure : List.of("remaining", "total")) {
			BigDecimal expected = sum(active.stream().map((grant) -> grant.path(figure)).toList());
			if (!same(expected, account.path(figure))) {
				violations.add(name + ": " + figure + " is " + account.path(figure) + " but its ACTIVE grants sum to "
						+ expected);
			}
		}
		return violations;
	}

	private static List<String> ofTotal(JsonNode total, List<JsonNode> accounts, boolean listed) {
		List<String> violations = new ArrayList<>();
		String provider = total.path("provider").asString();
		List<JsonNode> known = accounts.stream()
			.filter((account) -> !none(account.path("remaining")) && !none(account.path("total")))
			.toList();
		if (total.path("accounts").asInt(-1) != known.size()) {
			violations.add(provider + " total: accounts is " + total.path("accounts") + " but " + known.size()
					+ " account(s) have known figures");
		}
		boolean complete = listed && known.size() == accounts.size();
		if (total.path("complete").asBoolean() != complete) {
			violations.add(provider + " total: complete is " + total.path("complete") + " but should be " + complete);
		}
		boolean stale = known.stream().anyMatch((account) -> account.path("stale").asBoolean());
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
			// Nothing known is no figure, not a zero; unless there is truly nothing: a read list with no account.
			BigDecimal expected = (known.isEmpty() && !complete) ? null
					: sum(known.stream().map((account) -> account.path(figure)).toList());
			if (!same(expected, total.path(figure))) {
				violations.add(provider + " total: " + figure + " is " + total.path(figure) + " but should be "
						+ expected);
			}
		}
		return violations;
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
