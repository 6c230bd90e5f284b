package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.cache.RefreshingCache;
import dev.klingbalances.forecast.BalanceHistory;
import dev.klingbalances.forecast.Forecaster;
import dev.klingbalances.forecast.HistorySample;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.ExpiringSoon;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.Grants;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.model.ProviderError;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.provider.BalanceSnapshot;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds a {@link BalanceView} from what the caches hold right now, without fetching anything:
 * fresh figures, stale figures with the reason, or the error alone; never a zero for a failure.
 * Also works out when the view stops being true by time alone, and when it needs a fetch.
 */
final class ViewAssembler {

	private final BalancesProperties properties;

	private final Clock clock;

	private final JsonMapper jsonMapper;

	private final BalanceHistory history;

	private final Forecaster forecaster;

	ViewAssembler(BalancesProperties properties, Clock clock, JsonMapper jsonMapper, BalanceHistory history,
			Forecaster forecaster) {
		this.properties = properties;
		this.clock = clock;
		this.jsonMapper = jsonMapper;
		this.history = history;
		this.forecaster = forecaster;
	}

	/**
	 * @param product only accounts holding this product (and accounts whose products are not
	 * known: they may), and only its totals; every product when null
	 */
	BalanceView assemble(List<ProviderCaches> selected, @Nullable String product, long version) {
		return assemble(selected, product, AccountScope.ALL, version);
	}

	/**
	 * @param product as above
	 * @param scope only accounts in it: totals and completeness are over them alone
	 */
	BalanceView assemble(List<ProviderCaches> selected, @Nullable String product, AccountScope scope, long version) {
		Instant now = this.clock.instant();
		Times times = new Times(now, Forecaster.estimateAt(now, this.properties.forecast().estimateStep()));
		List<AccountBalance> accounts = new ArrayList<>();
		List<ProviderTotal> totals = new ArrayList<>();
		List<ProviderError> providerErrors = new ArrayList<>();
		Map<String, BalanceView.AccountState> states = new LinkedHashMap<>();
		for (ProviderCaches caches : selected) {
			AccountList list = accountList(caches, now, times);
			if (list.error() != null) {
				providerErrors.add(new ProviderError(caches.name(), list.error()));
			}
			List<AccountBalance> ofProvider = new ArrayList<>();
			Map<String, List<Forecaster.Input>> pools = new TreeMap<>();
			for (String name : list.names().stream().filter((name) -> scope.includes(caches.name(), name)).sorted().toList()) {
				CachedValue<BalanceSnapshot> entry = caches.snapshots().peek(name);
				AccountBalance balance = accountBalance(caches, name, entry, now, times, pools);
				ofProvider.add(balance);
				Instant due = (entry != null) ? min(caches.snapshots().freshUntil(entry), list.fetchDueAt()) : now;
				times.due(due);
				states.put(BalanceView.key(caches.name(), name), new BalanceView.AccountState(balance, due));
			}
			ofProvider.stream()
				.filter((account) -> product == null || account.product(product) != null || productsUnknown(account))
				.forEach(accounts::add);
			for (String pooled : pooledProducts(caches.provider(), ofProvider)) {
				if (product == null || product.equals(pooled)) {
					totals.add(total(caches.provider(), pooled, ofProvider, list.error() == null,
							this.forecaster.pool(pools.getOrDefault(pooled, List.of()))));
				}
			}
		}
		boolean complete = providerErrors.isEmpty() && accounts.stream().allMatch((account) -> account.error() == null);
		BalancesResponse response = new BalancesResponse(now, complete, List.copyOf(accounts), List.copyOf(totals),
				List.copyOf(providerErrors));
		return new BalanceView(response, version, times.validUntil, times.fetchDueAt, states, this.jsonMapper);
	}

	private AccountList accountList(ProviderCaches caches, Instant now, Times times) {
		RefreshingCache<List<String>> lists = caches.accounts();
		CachedValue<List<String>> entry = lists.peek(ProviderCaches.ALL_ACCOUNTS);
		// The last good list whatever its age (max-stale applies to figures, not to which accounts exist).
		List<String> names = (entry != null) ? entry.value() : null;
		AccountError error = (entry != null) ? entry.error() : null;
		boolean current = entry != null && !entry.isStale(now, lists.ttl());
		if (lists.isLoading(ProviderCaches.ALL_ACCOUNTS) && error == null && !current) {
			error = new AccountError(ErrorCode.PENDING,
					"The account list was still loading at the response deadline; it fills in shortly.", null, now);
		}
		Instant due = (entry != null) ? lists.freshUntil(entry) : now;
		times.due(due);
		return new AccountList((names != null) ? names : List.of(), error, due);
	}

	private AccountBalance accountBalance(ProviderCaches caches, String account,
			@Nullable CachedValue<BalanceSnapshot> entry, Instant now, Times times,
			Map<String, List<Forecaster.Input>> pools) {
		BalanceProvider provider = caches.provider();
		RefreshingCache<BalanceSnapshot> snapshots = caches.snapshots();
		BalanceSnapshot snapshot = (entry != null) ? entry.servableValue(now, this.properties.cache().maxStale())
				: null;
		AccountError error = (entry != null) ? entry.error() : null;
		boolean current = snapshot != null && !entry.isStale(now, snapshots.ttl());
		if (snapshots.isLoading(account) && error == null && !current) {
			error = new AccountError(ErrorCode.PENDING, (snapshot != null)
					? "A refresh was still running at the response deadline; the last good figures are shown."
					: "The first fetch was still running at the response deadline; figures follow shortly.", null, now);
		}
		if (snapshot == null) {
			return new AccountBalance(provider.name(), account, provider.unit(), null, null, List.of(), List.of(),
					Map.of(), null, null, false, provider.dataDelay(), null, error, List.of(), Forecast.NONE);
		}
		Instant fetchedAt = Objects.requireNonNull(entry.fetchedAt());
		Instant freshUntil = fetchedAt.plus(snapshots.ttl());
		times.changesAt(freshUntil);
		if (provider.dataDelay() != null) {
			// The picker leaves figures out from then on.
			times.changesAt(freshUntil.plus(provider.dataDelay()));
		}
		times.changesAt(fetchedAt.plus(this.properties.cache().maxStale()));
		List<Grant> grants = Grants.asOf(snapshot.grants(), now);
		List<Grant> active = Grants.active(grants);
		active.stream().map(Grant::expiresAt).filter(Objects::nonNull).forEach(times::changesAt);
		boolean stale = error != null || entry.isStale(now, snapshots.ttl());
		List<HistorySample> samples = this.history.samples(provider.name(), account);
		Instant describedAt = (provider.dataDelay() != null) ? fetchedAt.minus(provider.dataDelay()) : fetchedAt;
		List<ExpiringSoon> expiringSoon = expiringSoon(snapshot, active, now, times);
		List<ProductBalance> products = new ArrayList<>();
		for (String product : Grants.products(grants)) {
			List<Grant> ofProduct = Grants.of(grants, product);
			List<Grant> activeOfProduct = Grants.active(ofProduct);
			Forecaster.Rate rate = this.forecaster.rate(samples, product, fetchedAt);
			pools.computeIfAbsent(product, (key) -> new ArrayList<>())
				.add(new Forecaster.Input(rate, ofProduct, describedAt));
			BigDecimal remaining = Grants.remaining(activeOfProduct);
			BigDecimal estimate = Forecaster.estimate(remaining, rate.perDay(), describedAt, times.estimateAt);
			if (estimate != null && estimate.signum() > 0) {
				// The estimate goes down step by step until it reaches zero.
				times.changesAt(times.estimateAt.plus(this.properties.forecast().estimateStep()));
			}
			products.add(new ProductBalance(product, remaining, estimate, Grants.total(activeOfProduct),
					this.forecaster.forecast(rate, ofProduct, describedAt),
					expiringSoon.stream().filter((expiring) -> product.equals(expiring.product())).toList()));
		}
		// One product's figures stand for the account; two products' are never added up.
		ProductBalance only = (products.size() == 1) ? products.get(0) : null;
		BigDecimal remaining = products.isEmpty() ? Grants.remaining(active) : (only != null) ? only.remaining() : null;
		BigDecimal total = products.isEmpty() ? Grants.total(active) : (only != null) ? only.total() : null;
		return new AccountBalance(provider.name(), account, provider.unit(), remaining,
				(only != null) ? only.estimatedRemaining() : null, total, products, grants,
				snapshot.details(), fetchedAt, freshUntil, stale, provider.dataDelay(), remark(snapshot, active),
				error, expiringSoon, (only != null) ? only.forecast() : Forecast.NONE);
	}

	/** An account without figures: it may hold any product. */
	private static boolean productsUnknown(AccountBalance account) {
		return account.products().isEmpty() && account.remaining() == null;
	}

	/** The provider's products, then any other product its accounts hold (sorted). */
	private static List<String> pooledProducts(BalanceProvider provider, List<AccountBalance> accounts) {
		Set<String> products = new LinkedHashSet<>(provider.products());
		accounts.stream()
			.flatMap((account) -> account.products().stream())
			.map(ProductBalance::product)
			.sorted()
			.forEach(products::add);
		return List.copyOf(products);
	}

	/** Active grants and the upstream session that expire within the warning window, soonest first. */
	private List<ExpiringSoon> expiringSoon(BalanceSnapshot snapshot, List<Grant> active, Instant now, Times times) {
		Duration window = this.properties.alerts().expiryWarning();
		List<ExpiringSoon> expiring = new ArrayList<>();
		for (Grant grant : active) {
			if (grant.expiresAt() != null && warned(grant.expiresAt(), now, window, times)) {
				expiring.add(new ExpiringSoon(ExpiringSoon.Kind.GRANT, grant.product(), grant.id(), grant.name(),
						grant.remaining(), grant.expiresAt()));
			}
		}
		if (snapshot.details().get(BalanceSnapshot.SESSION_EXPIRES_AT) instanceof Instant session
				&& warned(session, now, window, times)) {
			expiring.add(new ExpiringSoon(ExpiringSoon.Kind.SESSION, null, null, null, null, session));
		}
		expiring.sort(Comparator.comparing(ExpiringSoon::expiresAt));
		return List.copyOf(expiring);
	}

	/** Whether {@code expiresAt} is within the window from now; notes when it will enter the window. */
	private static boolean warned(Instant expiresAt, Instant now, Duration window, Times times) {
		Instant warnFrom = expiresAt.minus(window);
		times.changesAt(warnFrom);
		times.changesAt(expiresAt);
		return !now.isBefore(warnFrom) && now.isBefore(expiresAt);
	}

	private static @Nullable String remark(BalanceSnapshot snapshot, List<Grant> active) {
		if (snapshot.grants().isEmpty()) {
			return "The upstream reports no grants on this account (for Kling: no resource packs, e.g. pay-as-you-go).";
		}
		if (active.isEmpty()) {
			return "None of this account's grants is active: they are expired, used up or not yet effective.";
		}
		if (Grants.remaining(active) == null) {
			return "An active grant has no reported quantity, so the account's remaining capacity is unknown.";
		}
		return null;
	}

	/**
	 * One product's pool of one provider.
	 * @param listed false when the provider's account list could not be read (or is still
	 * loading): accounts may be missing, so the sum cannot be complete
	 */
	private static ProviderTotal total(BalanceProvider provider, String product, List<AccountBalance> accounts,
			boolean listed, Forecast forecast) {
		List<ProductBalance> holders = accounts.stream()
			.map((account) -> account.product(product))
			.filter(Objects::nonNull)
			.toList();
		List<ProductBalance> known = holders.stream()
			.filter((figures) -> figures.remaining() != null && figures.total() != null)
			.toList();
		boolean complete = listed && known.size() == holders.size()
				&& accounts.stream().noneMatch(ViewAssembler::productsUnknown);
		if (known.isEmpty() && !complete) {
			// Nothing is known: a sum of nothing would read as a zero balance.
			return new ProviderTotal(provider.name(), product, provider.unit(), null, null, 0, false, false,
					Forecast.NONE);
		}
		BigDecimal remaining = known.stream().map(ProductBalance::remaining).reduce(BigDecimal.ZERO, BigDecimal::add);
		BigDecimal total = known.stream().map(ProductBalance::total).reduce(BigDecimal.ZERO, BigDecimal::add);
		boolean stale = accounts.stream().anyMatch((account) -> account.stale() && account.product(product) != null
				&& account.product(product).remaining() != null && account.product(product).total() != null);
		// The pool has a rate only when every account with capacity has one: an account without
		// an estimate then has nothing to burn, and counts with its reported figure.
		BigDecimal estimate = (forecast.burnPerDay() != null) ? known.stream()
			.map((figures) -> (figures.estimatedRemaining() != null) ? figures.estimatedRemaining() : figures.remaining())
			.reduce(BigDecimal.ZERO, BigDecimal::add) : null;
		return new ProviderTotal(provider.name(), product, provider.unit(), remaining, estimate, total, known.size(),
				complete, stale, forecast);
	}

	private static Instant min(Instant a, Instant b) {
		return a.isBefore(b) ? a : b;
	}

	/** The earliest moments at which the view changes by time alone, and needs a fetch. */
	private static final class Times {

		private final Instant now;

		/** The moment estimates are computed for (the start of the current estimate step). */
		private final Instant estimateAt;

		private Instant validUntil = Instant.MAX;

		private Instant fetchDueAt = Instant.MAX;

		Times(Instant now, Instant estimateAt) {
			this.now = now;
			this.estimateAt = estimateAt;
		}

		/** The content changes at {@code at} (ignored when already past: it did when it was built). */
		void changesAt(Instant at) {
			if (at.isAfter(this.now) && at.isBefore(this.validUntil)) {
				this.validUntil = at;
			}
		}

		void due(Instant at) {
			if (at.isBefore(this.fetchDueAt)) {
				this.fetchDueAt = at;
			}
		}

	}

	private record AccountList(List<String> names, @Nullable AccountError error, Instant fetchDueAt) {
	}

}
